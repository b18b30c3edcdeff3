//! Shelf listings and the detail pane, read from the local cache only (they work offline).

use std::collections::HashMap;

use crate::app::App;
use crate::hardcover::ReadingStatus;
use crate::store::Store;
use crate::store::library::Selection;

use super::cache;
use super::error::ShelfError;
use super::model::{BookDetail, BookRow, EditionInfo, ReadInfo, ShelfRef};

/// The books on a status shelf (by title) or a list (in list order).
pub async fn books(app: &App, shelf: ShelfRef) -> Result<Vec<BookRow>, ShelfError> {
    shelf_rows(app.store(), shelf)
}

/// [`books`] over a store: one pass over the cache (`Store::library_rows` reads each table once),
/// no query per book.
pub fn shelf_rows(store: &Store, shelf: ShelfRef) -> Result<Vec<BookRow>, ShelfError> {
    match shelf {
        ShelfRef::Status(id) => {
            if ReadingStatus::from_id(id).is_none() {
                return Err(ShelfError::InvalidInput(format!("status {id} does not exist: statuses are 1 to 6")));
            }
            let rows = store.library_rows(&Selection { status_ids: vec![id], ..Selection::default() })?;
            Ok(rows.iter().map(BookRow::from_library).collect())
        }
        ShelfRef::List(id) => {
            if !store.lists()?.iter().any(|l| l.id == id) {
                return Err(ShelfError::NotFound(format!(
                    "list {id} is not among your lists (refresh the library if you just made it)"
                )));
            }
            let order: HashMap<i64, usize> =
                store.list_books(id)?.iter().enumerate().map(|(i, lb)| (lb.book_id, i)).rev().collect();
            let mut rows: Vec<BookRow> = store
                .library_rows(&Selection { list_ids: vec![id], ..Selection::default() })?
                .iter()
                .map(BookRow::from_library)
                .collect();
            // Stable: books the list holds twice keep their first position; title breaks ties.
            rows.sort_by_key(|r| order.get(&r.book_id).copied().unwrap_or(usize::MAX));
            Ok(rows)
        }
    }
}

/// The most books one search across all shelves answers with: more is no help on screen.
pub const SEARCH_LIMIT: usize = 500;

/// Books on any shelf or list whose title, author or ISBN holds `query`, by title (the window's
/// search across all shelves): one pass over the local copy, so it works offline.
pub async fn search_library(app: &App, query: &str) -> Result<Vec<BookRow>, ShelfError> {
    search_rows(app.store(), query, SEARCH_LIMIT)
}

/// [`search_library`] over a store, at most `limit` rows.
pub fn search_rows(store: &Store, query: &str, limit: usize) -> Result<Vec<BookRow>, ShelfError> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    // ISBNs are often typed with hyphens or spaces, as the shelf's own filter allows.
    let digits: String = q.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let isbn_like = digits.len() >= 3 && digits.chars().all(|c| c.is_ascii_digit() || c == 'x');
    let book_ids: Vec<i64> = store
        .search_texts()?
        .into_iter()
        .filter(|(_, text)| text.contains(&q) || (isbn_like && text.contains(&digits)))
        .map(|(id, _)| id)
        .collect();
    if book_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = store.library_rows(&Selection { book_ids, ..Selection::default() })?;
    Ok(rows.iter().take(limit).map(BookRow::from_library).collect())
}

/// Everything the detail pane shows for one book, from the cache. A book the cache does not
/// know yet (a search hit) is fetched once from Hardcover and cached.
pub async fn book_detail(app: &App, book_id: i64) -> Result<BookDetail, ShelfError> {
    if cache::book(app.store(), book_id)?.is_none() {
        super::lists::ensure_book_cached(app, book_id).await?;
    }
    detail(app.store(), book_id)
}

pub fn detail(store: &Store, book_id: i64) -> Result<BookDetail, ShelfError> {
    let row = cache::library_row(store, book_id)?.ok_or_else(|| {
        ShelfError::NotFound(format!("book {book_id} is not in the local library (refresh the library)"))
    })?;
    Ok(BookDetail {
        row: BookRow::from_library(&row),
        subtitle: row.book.subtitle.clone(),
        edition: row.edition.as_ref().map(EditionInfo::from),
        reads: row.reads.iter().map(ReadInfo::from).collect(),
        lists: cache::memberships(store, book_id)?,
        linked: cache::linked_items(store, book_id)?,
        hardcover_url: row.book.slug.as_deref().and_then(super::links::book_page).map(String::from),
    })
}

/// The row the window shows for a book after a write.
pub(super) fn row_of(store: &Store, book_id: i64) -> Result<BookRow, ShelfError> {
    let row = cache::library_row(store, book_id)?
        .ok_or_else(|| ShelfError::Internal(format!("book {book_id} vanished from the cache after a change")))?;
    Ok(BookRow::from_library(&row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shelf::model::BookFormat;
    use crate::store::library::{CachedBook, CachedEdition, CachedList, CachedListBook, CachedRead, CachedUserBook};

    const N: i64 = 10_000;

    fn book(id: i64) -> CachedBook {
        CachedBook {
            id,
            title: format!("Book {id:05}"),
            subtitle: None,
            slug: None,
            authors: vec![format!("Author {}", id % 97)],
            cover_url: Some(format!("https://img.example/{id}.jpg")),
            pages: Some(100 + id % 400),
            release_year: Some(1990),
        }
    }

    /// Book i: status 1 + i % 6, edition 1_000_000 + i (audio when i % 3 == 0), two reads (the
    /// newer one finished for Read books, else 40 % through), every 10th book on list 7.
    fn big_store() -> Store {
        let s = Store::open_in_memory().unwrap();
        let books: Vec<CachedBook> = (1..=N).map(book).collect();
        s.upsert_books(&books).unwrap();
        let editions: Vec<CachedEdition> = (1..=N)
            .map(|i| CachedEdition {
                id: 1_000_000 + i,
                book_id: i,
                title: None,
                pages: (i % 3 != 0).then_some(320),
                audio_seconds: (i % 3 == 0).then_some(36_000),
                reading_format_id: Some(if i % 3 == 0 { 2 } else { 4 }),
                isbn_10: None,
                isbn_13: Some(format!("978{i:010}")),
                asin: None,
                cover_url: None,
            })
            .collect();
        s.upsert_editions(&editions).unwrap();
        let read = |id: i64, ub: i64, finished: Option<String>, progress: f64| CachedRead {
            id,
            user_book_id: ub,
            edition_id: None,
            progress: Some(progress),
            progress_pages: None,
            progress_seconds: None,
            started_at: Some("2024-01-01".into()),
            finished_at: finished,
            paused_at: None,
        };
        let user_books: Vec<(CachedUserBook, Vec<CachedRead>)> = (1..=N)
            .map(|i| {
                let status = 1 + i % 6;
                let ub = CachedUserBook {
                    id: 500_000 + i,
                    book_id: i,
                    edition_id: Some(1_000_000 + i),
                    status_id: status,
                    rating: (status == 3).then_some(4.5),
                    date_added: Some("2023-05-05".into()),
                    // Every 7th shelf entry changed after its reads began: its last activity.
                    updated_at: (i % 7 == 0).then(|| "2024-03-04T10:00:00+00:00".into()),
                    owned: false,
                };
                let newest = if status == 3 {
                    read(3 * i + 1, ub.id, Some(format!("2025-{:02}-01", 1 + i % 12)), 0.0)
                } else {
                    read(3 * i + 1, ub.id, None, 40.0)
                };
                (ub.clone(), vec![read(3 * i, ub.id, Some("2020-01-01".into()), 100.0), newest])
            })
            .collect();
        s.upsert_user_books(&user_books).unwrap();
        let list = CachedList {
            id: 7,
            name: "Tenths".into(),
            slug: None,
            description: None,
            books_count: N / 10,
            updated_at: None,
        };
        // List order is the reverse of title order, to prove lists keep their own order.
        let rows: Vec<CachedListBook> = (1..=N)
            .filter(|i| i % 10 == 0)
            .map(|i| CachedListBook {
                id: 900_000 + i,
                list_id: 7,
                book_id: i,
                edition_id: None,
                position: Some(N - i),
                date_added: None,
            })
            .collect();
        s.replace_lists(&[(list, rows)]).unwrap();
        s
    }

    #[test]
    fn ten_thousand_books_come_out_whole_and_right() {
        let s = big_store();
        let mut total = 0;
        for status in 1..=6 {
            let rows = shelf_rows(&s, ShelfRef::Status(status)).unwrap();
            total += rows.len();
            assert!(rows.iter().all(|r| r.status_id == Some(status)), "a status shelf must hold only that status");
            assert!(rows.windows(2).all(|w| w[0].title <= w[1].title), "a status shelf must be in title order");
            for r in &rows {
                let i = r.book_id;
                assert_eq!(r.user_book_id, Some(500_000 + i), "each row must carry its own user_book id");
                assert_eq!(r.title, format!("Book {i:05}"), "each row must carry its own book's title");
                assert_eq!(r.isbn13.as_deref(), Some(format!("978{i:010}").as_str()), "ISBN-13 comes from the edition");
                let want_format = if i % 3 == 0 { BookFormat::Audio } else { BookFormat::Ebook };
                assert_eq!(r.format, Some(want_format), "the format comes from the user's edition");
                assert_eq!(r.audio_seconds.is_some(), i % 3 == 0, "only audio editions carry seconds");
                let want_progress = if status == 3 { 100.0 } else { 40.0 };
                assert_eq!(r.progress, Some(want_progress), "progress comes from the newest read, not an older one");
                if status == 3 {
                    assert_eq!(r.rating, Some(4.5));
                    assert_eq!(
                        r.finished_at,
                        Some(format!("2025-{:02}-01", 1 + i % 12)),
                        "finished_at is the latest finish date"
                    );
                }
                assert_eq!(r.list_ids, if i % 10 == 0 { vec![7] } else { vec![] }, "list ids must be the book's own");
                let want_activity = match (status, i % 7) {
                    (3, _) => format!("2025-{:02}-01", 1 + i % 12),
                    (_, 0) => "2024-03-04T10:00:00+00:00".to_owned(),
                    _ => "2024-01-01".to_owned(),
                };
                assert_eq!(
                    r.last_activity.as_deref(),
                    Some(want_activity.as_str()),
                    "last activity is the newest of the shelf entry's change and its reads' days"
                );
            }
        }
        assert_eq!(total as i64, N, "the six status shelves together must hold every shelved book once");

        let listed = shelf_rows(&s, ShelfRef::List(7)).unwrap();
        assert_eq!(listed.len() as i64, N / 10, "a list must hold all of its rows, beyond any page size");
        let ids: Vec<i64> = listed.iter().map(|r| r.book_id).collect();
        let mut want: Vec<i64> = (1..=N).filter(|i| i % 10 == 0).collect();
        want.reverse();
        assert_eq!(ids, want, "a list must come out in its own position order");
    }

    #[test]
    fn one_search_finds_books_on_every_shelf_and_list() {
        let s = big_store();
        // "Book 0700" is the title of books 700..=709: statuses 1 + i % 6 cover every shelf.
        let hits = search_rows(&s, "  book 0070 ", 100).unwrap();
        let ids: Vec<i64> = hits.iter().map(|r| r.book_id).collect();
        assert_eq!(ids, (700..=709).collect::<Vec<_>>(), "every matching book, case-insensitive, by title");
        let statuses: std::collections::BTreeSet<i64> = hits.iter().filter_map(|r| r.status_id).collect();
        assert_eq!(statuses.len(), 6, "matches come from every status shelf, not the open one: {statuses:?}");
        assert_eq!(hits[0].list_ids, vec![7], "each row names its lists, so the window can say where it is");

        let by_author = search_rows(&s, "author 96", 5000).unwrap();
        assert!(
            !by_author.is_empty() && by_author.iter().all(|r| r.authors == ["Author 96"]),
            "authors are searched too"
        );
        let by_isbn = search_rows(&s, "978-00000-01234", 10).unwrap();
        assert_eq!(by_isbn.iter().map(|r| r.book_id).collect::<Vec<_>>(), vec![1234], "ISBNs match with hyphens");
        assert_eq!(search_rows(&s, "book", 25).unwrap().len(), 25, "a search answers with at most the limit");
        assert!(search_rows(&s, "   ", 25).unwrap().is_empty(), "an empty search finds nothing, not everything");
        assert!(search_rows(&s, "no such title", 25).unwrap().is_empty());
    }

    #[test]
    fn bad_shelves_are_refused_with_the_right_code() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(
            shelf_rows(&s, ShelfRef::Status(9)).unwrap_err().code(),
            crate::error::ErrorCode::InvalidInput,
            "status 9 does not exist"
        );
        assert_eq!(
            shelf_rows(&s, ShelfRef::List(42)).unwrap_err().code(),
            crate::error::ErrorCode::NotFound,
            "an unknown list is not found"
        );
        assert_eq!(
            detail(&s, 1).unwrap_err().code(),
            crate::error::ErrorCode::NotFound,
            "an unknown book is not found"
        );
    }
}
