//! One book out of the cache (the detail pane and the answer to a write), and writing what
//! Hardcover returned back into it. `Store::library_rows` reads whole tables, which is right for
//! a shelf of 10,000 books and wasteful for one.

use rusqlite::{OptionalExtension, params};

use crate::hardcover::UserBook;
use crate::import::{cached_book, cached_edition, cached_reads, cached_user_book};
use crate::store::library::{CachedBook, LibraryRow, book_from, edition_from, read_from, user_book_from};
use crate::store::{Result, Store};

use super::model::{LinkedItem, ListMembership};

/// The book `book_id` as a shelf row, whether or not it is shelved or listed.
pub fn library_row(store: &Store, book_id: i64) -> Result<Option<LibraryRow>> {
    let conn = store.conn();
    let Some(book) = conn.query_row("SELECT * FROM hc_books WHERE id = ?1", params![book_id], book_from).optional()?
    else {
        return Ok(None);
    };
    let user_book = conn
        .query_row("SELECT * FROM hc_user_books WHERE book_id = ?1", params![book_id], user_book_from)
        .optional()?;
    let edition = match user_book.as_ref().and_then(|u| u.edition_id) {
        Some(id) => conn.query_row("SELECT * FROM hc_editions WHERE id = ?1", params![id], edition_from).optional()?,
        None => None,
    };
    let reads = match &user_book {
        Some(u) => conn
            .prepare("SELECT * FROM hc_reads WHERE user_book_id = ?1 ORDER BY id DESC")?
            .query_map(params![u.id], read_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let list_ids = conn
        .prepare("SELECT DISTINCT list_id FROM hc_list_books WHERE book_id = ?1 ORDER BY list_id")?
        .query_map(params![book_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(Some(LibraryRow { book, user_book, edition, reads, list_ids }))
}

pub fn book(store: &Store, book_id: i64) -> Result<Option<CachedBook>> {
    Ok(store.conn().query_row("SELECT * FROM hc_books WHERE id = ?1", params![book_id], book_from).optional()?)
}

/// The lists the book is on, by list name.
pub fn memberships(store: &Store, book_id: i64) -> Result<Vec<ListMembership>> {
    let conn = store.conn();
    let mut st = conn.prepare(
        "SELECT lb.list_id, lb.id, l.name FROM hc_list_books lb JOIN hc_lists l ON l.id = lb.list_id
         WHERE lb.book_id = ?1 ORDER BY l.name COLLATE NOCASE, lb.id",
    )?;
    let rows = st
        .query_map(params![book_id], |r| {
            Ok(ListMembership { list_id: r.get(0)?, list_book_id: r.get(1)?, name: r.get(2)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The list row for (list, book), if the cache has one.
pub fn list_book_id(store: &Store, list_id: i64, book_id: i64) -> Result<Option<i64>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id FROM hc_list_books WHERE list_id = ?1 AND book_id = ?2 ORDER BY id LIMIT 1",
            params![list_id, book_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The position after the last row of a list, so a book added here sorts last until the next
/// import brings Hardcover's own position.
pub fn next_position(store: &Store, list_id: i64) -> Result<i64> {
    Ok(store.conn().query_row(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM hc_list_books WHERE list_id = ?1",
        params![list_id],
        |r| r.get(0),
    )?)
}

/// Source items matched to the book, titled as their source names them (kept on the match since
/// schema 2), else as the sync history last recorded them, else by the item id.
pub fn linked_items(store: &Store, book_id: i64) -> Result<Vec<LinkedItem>> {
    let conn = store.conn();
    let mut st = conn.prepare(
        "SELECT m.source, m.item_id, m.method, COALESCE(m.title,
           (SELECT h.title FROM history h WHERE h.source = m.source AND h.item_id = m.item_id
              AND h.title IS NOT NULL ORDER BY h.id DESC LIMIT 1))
         FROM matches m WHERE m.book_id = ?1 ORDER BY m.source, m.item_id",
    )?;
    let rows = st
        .query_map(params![book_id], |r| {
            let item_id: String = r.get(1)?;
            let title: Option<String> = r.get(3)?;
            Ok(LinkedItem {
                source: r.get(0)?,
                title: title.unwrap_or_else(|| item_id.clone()),
                item_id,
                method: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Store a user_book exactly as Hardcover returned it: book, edition, the row and its reads
/// (replacing the cached reads, so a read Hardcover added or closed shows as it is).
pub fn save_user_book(store: &Store, u: &UserBook) -> Result<()> {
    store.upsert_books(&[cached_book(&u.book)])?;
    if let Some(e) = &u.edition {
        store.upsert_editions(&[cached_edition(e)])?;
    }
    store.upsert_user_books(&[(cached_user_book(u), cached_reads(u))])
}
