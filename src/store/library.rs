//! The cached copy of the user's Hardcover library: books, editions, user_books, reads, lists.
//!
//! Filled by the import (ImportShelves) so the shelf browser and export work offline, and read by
//! the shelf browser, `shelves`, and export. Rows mirror Hardcover's ids.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedBook {
    pub id: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub slug: Option<String>,
    pub authors: Vec<String>,
    pub cover_url: Option<String>,
    pub pages: Option<i64>,
    pub release_year: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedEdition {
    pub id: i64,
    pub book_id: i64,
    pub title: Option<String>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub reading_format_id: Option<i64>,
    pub isbn_10: Option<String>,
    pub isbn_13: Option<String>,
    pub asin: Option<String>,
    pub cover_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedUserBook {
    pub id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub status_id: i64,
    pub rating: Option<f64>,
    pub date_added: Option<String>,
    pub updated_at: Option<String>,
    pub owned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedRead {
    pub id: i64,
    pub user_book_id: i64,
    pub edition_id: Option<i64>,
    pub progress: Option<f64>,
    pub progress_pages: Option<i64>,
    pub progress_seconds: Option<i64>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub paused_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedList {
    pub id: i64,
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub books_count: i64,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedListBook {
    pub id: i64,
    pub list_id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub position: Option<i64>,
    pub date_added: Option<String>,
}

/// One book as the shelf browser and export see it: the book, the user's copy of it (if any),
/// its edition, its reads (newest first) and the lists it is on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryRow {
    pub book: CachedBook,
    pub user_book: Option<CachedUserBook>,
    pub edition: Option<CachedEdition>,
    pub reads: Vec<CachedRead>,
    pub list_ids: Vec<i64>,
}

impl LibraryRow {
    /// The latest finish date among the reads.
    pub fn finished_at(&self) -> Option<&str> {
        self.reads.iter().filter_map(|r| r.finished_at.as_deref()).max()
    }
}

/// Which books to read out of the cache (and what the window asks to export). Empty selection with
/// `all: false` selects nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ExportSelection"))]
#[serde(rename_all = "camelCase", default)]
pub struct Selection {
    pub status_ids: Vec<i64>,
    pub list_ids: Vec<i64>,
    pub book_ids: Vec<i64>,
    pub all: bool,
}

impl Selection {
    pub fn everything() -> Self {
        Self { all: true, ..Self::default() }
    }
}

fn json_vec(s: String) -> Vec<String> {
    serde_json::from_str(&s).unwrap_or_default()
}

pub(crate) fn book_from(r: &Row<'_>) -> rusqlite::Result<CachedBook> {
    Ok(CachedBook {
        id: r.get("id")?,
        title: r.get("title")?,
        subtitle: r.get("subtitle")?,
        slug: r.get("slug")?,
        authors: json_vec(r.get("authors")?),
        cover_url: r.get("cover_url")?,
        pages: r.get("pages")?,
        release_year: r.get("release_year")?,
    })
}

pub(crate) fn edition_from(r: &Row<'_>) -> rusqlite::Result<CachedEdition> {
    Ok(CachedEdition {
        id: r.get("id")?,
        book_id: r.get("book_id")?,
        title: r.get("title")?,
        pages: r.get("pages")?,
        audio_seconds: r.get("audio_seconds")?,
        reading_format_id: r.get("reading_format_id")?,
        isbn_10: r.get("isbn_10")?,
        isbn_13: r.get("isbn_13")?,
        asin: r.get("asin")?,
        cover_url: r.get("cover_url")?,
    })
}

pub(crate) fn user_book_from(r: &Row<'_>) -> rusqlite::Result<CachedUserBook> {
    Ok(CachedUserBook {
        id: r.get("id")?,
        book_id: r.get("book_id")?,
        edition_id: r.get("edition_id")?,
        status_id: r.get("status_id")?,
        rating: r.get("rating")?,
        date_added: r.get("date_added")?,
        updated_at: r.get("updated_at")?,
        owned: r.get("owned")?,
    })
}

pub(crate) fn read_from(r: &Row<'_>) -> rusqlite::Result<CachedRead> {
    Ok(CachedRead {
        id: r.get("id")?,
        user_book_id: r.get("user_book_id")?,
        edition_id: r.get("edition_id")?,
        progress: r.get("progress")?,
        progress_pages: r.get("progress_pages")?,
        progress_seconds: r.get("progress_seconds")?,
        started_at: r.get("started_at")?,
        finished_at: r.get("finished_at")?,
        paused_at: r.get("paused_at")?,
    })
}

fn list_from(r: &Row<'_>) -> rusqlite::Result<CachedList> {
    Ok(CachedList {
        id: r.get("id")?,
        name: r.get("name")?,
        slug: r.get("slug")?,
        description: r.get("description")?,
        books_count: r.get("books_count")?,
        updated_at: r.get("updated_at")?,
    })
}

impl Store {
    pub fn upsert_books(&self, books: &[CachedBook]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO hc_books(id, title, subtitle, slug, authors, cover_url, pages, release_year)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET title = excluded.title, subtitle = excluded.subtitle,
                   slug = excluded.slug, authors = excluded.authors, cover_url = excluded.cover_url,
                   pages = excluded.pages, release_year = excluded.release_year",
            )?;
            for b in books {
                let authors = serde_json::to_string(&b.authors).expect("strings serialize");
                st.execute(params![b.id, b.title, b.subtitle, b.slug, authors, b.cover_url, b.pages, b.release_year])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn upsert_editions(&self, editions: &[CachedEdition]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO hc_editions(id, book_id, title, pages, audio_seconds, reading_format_id,
                   isbn_10, isbn_13, asin, cover_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for e in editions {
                st.execute(params![
                    e.id,
                    e.book_id,
                    e.title,
                    e.pages,
                    e.audio_seconds,
                    e.reading_format_id,
                    e.isbn_10,
                    e.isbn_13,
                    e.asin,
                    e.cover_url
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Store user_books with their reads; each user_book's reads replace the cached ones.
    pub fn upsert_user_books(&self, user_books: &[(CachedUserBook, Vec<CachedRead>)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut ub = tx.prepare_cached(
                "INSERT OR REPLACE INTO hc_user_books(id, book_id, edition_id, status_id, rating, date_added, updated_at, owned)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut del = tx.prepare_cached("DELETE FROM hc_reads WHERE user_book_id = ?1")?;
            let mut rd = tx.prepare_cached(
                "INSERT OR REPLACE INTO hc_reads(id, user_book_id, edition_id, progress, progress_pages, progress_seconds,
                   started_at, finished_at, paused_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (u, reads) in user_books {
                ub.execute(params![
                    u.id,
                    u.book_id,
                    u.edition_id,
                    u.status_id,
                    u.rating,
                    u.date_added,
                    u.updated_at,
                    u.owned
                ])?;
                del.execute(params![u.id])?;
                for r in reads {
                    rd.execute(params![
                        r.id,
                        u.id,
                        r.edition_id,
                        r.progress,
                        r.progress_pages,
                        r.progress_seconds,
                        r.started_at,
                        r.finished_at,
                        r.paused_at
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forget user_books (and their reads) that are no longer on Hardcover.
    pub fn retain_user_books(&self, keep_ids: &[i64]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS keep_ids(id INTEGER PRIMARY KEY); DELETE FROM keep_ids;")?;
        {
            let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO keep_ids(id) VALUES (?1)")?;
            for id in keep_ids {
                ins.execute(params![id])?;
            }
        }
        tx.execute("DELETE FROM hc_reads WHERE user_book_id NOT IN (SELECT id FROM keep_ids)", [])?;
        let n = tx.execute("DELETE FROM hc_user_books WHERE id NOT IN (SELECT id FROM keep_ids)", [])?;
        tx.commit()?;
        Ok(n)
    }

    pub fn delete_user_book(&self, id: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute("DELETE FROM hc_reads WHERE user_book_id = ?1", params![id])?;
        conn.execute("DELETE FROM hc_user_books WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// Replace all lists and their rows (lists are small and imported whole).
    pub fn replace_lists(&self, lists: &[(CachedList, Vec<CachedListBook>)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM hc_list_books", [])?;
        tx.execute("DELETE FROM hc_lists", [])?;
        {
            let mut l = tx.prepare_cached(
                "INSERT INTO hc_lists(id, name, slug, description, books_count, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut lb = tx.prepare_cached(
                "INSERT OR REPLACE INTO hc_list_books(id, list_id, book_id, edition_id, position, date_added)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (list, rows) in lists {
                l.execute(params![list.id, list.name, list.slug, list.description, list.books_count, list.updated_at])?;
                for r in rows {
                    lb.execute(params![r.id, list.id, r.book_id, r.edition_id, r.position, r.date_added])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn insert_list_book(&self, row: &CachedListBook) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR REPLACE INTO hc_list_books(id, list_id, book_id, edition_id, position, date_added)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![row.id, row.list_id, row.book_id, row.edition_id, row.position, row.date_added],
        )?;
        conn.execute(
            "UPDATE hc_lists SET books_count = (SELECT COUNT(*) FROM hc_list_books WHERE list_id = ?1) WHERE id = ?1",
            params![row.list_id],
        )?;
        Ok(())
    }

    pub fn delete_list_book(&self, list_id: i64, book_id: i64) -> Result<Option<i64>> {
        let conn = self.conn();
        let id: Option<i64> = conn
            .query_row(
                "SELECT id FROM hc_list_books WHERE list_id = ?1 AND book_id = ?2",
                params![list_id, book_id],
                |r| r.get(0),
            )
            .optional()?;
        conn.execute("DELETE FROM hc_list_books WHERE list_id = ?1 AND book_id = ?2", params![list_id, book_id])?;
        conn.execute(
            "UPDATE hc_lists SET books_count = (SELECT COUNT(*) FROM hc_list_books WHERE list_id = ?1) WHERE id = ?1",
            params![list_id],
        )?;
        Ok(id)
    }

    /// Book counts per status id (1..=6), zero for empty statuses.
    pub fn status_counts(&self) -> Result<[i64; 6]> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT status_id, COUNT(*) FROM hc_user_books GROUP BY status_id")?;
        let mut counts = [0i64; 6];
        for row in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (status, n) = row?;
            if (1..=6).contains(&status) {
                counts[(status - 1) as usize] = n;
            }
        }
        Ok(counts)
    }

    pub fn lists(&self) -> Result<Vec<CachedList>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT * FROM hc_lists ORDER BY name COLLATE NOCASE")?;
        let rows = st.query_map([], list_from)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn list_books(&self, list_id: i64) -> Result<Vec<CachedListBook>> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT id, list_id, book_id, edition_id, position, date_added FROM hc_list_books WHERE list_id = ?1 ORDER BY position, id",
        )?;
        let rows = st
            .query_map(params![list_id], |r| {
                Ok(CachedListBook {
                    id: r.get(0)?,
                    list_id: r.get(1)?,
                    book_id: r.get(2)?,
                    edition_id: r.get(3)?,
                    position: r.get(4)?,
                    date_added: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn user_book_for_book(&self, book_id: i64) -> Result<Option<CachedUserBook>> {
        Ok(self
            .conn()
            .query_row("SELECT * FROM hc_user_books WHERE book_id = ?1", params![book_id], user_book_from)
            .optional()?)
    }

    /// Each shelved or listed book's searchable text, lower-cased: title, authors and the ISBNs of
    /// the user's edition, NUL-separated. One query, so a search across every shelf reads the
    /// library's text once instead of every row in full.
    pub fn search_texts(&self) -> Result<Vec<(i64, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT b.id, b.title, b.authors, e.isbn_13, e.isbn_10 FROM hc_books b
             LEFT JOIN hc_user_books u ON u.book_id = b.id
             LEFT JOIN hc_editions e ON e.id = u.edition_id
             WHERE u.id IS NOT NULL OR b.id IN (SELECT book_id FROM hc_list_books)",
        )?;
        let rows = stmt.query_map([], |r| {
            let authors = json_vec(r.get(2)?).join("\u{0}");
            let (isbn13, isbn10): (Option<String>, Option<String>) = (r.get(3)?, r.get(4)?);
            let text = format!(
                "{}\u{0}{authors}\u{0}{}\u{0}{}",
                r.get::<_, String>(1)?,
                isbn13.unwrap_or_default(),
                isbn10.unwrap_or_default()
            );
            Ok((r.get(0)?, text.to_lowercase()))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The selected books, with everything export and the shelf browser show, ordered by title.
    /// Reads each table once and joins in memory (far faster than a query per book); for a shelf
    /// or a list, only the rows of its books (the window opens on one shelf: reading a 10,000-book
    /// library to show the 1,000 on it was most of its wait).
    pub fn library_rows(&self, selection: &Selection) -> Result<Vec<LibraryRow>> {
        let conn = self.conn();
        // The candidate books as a JSON array for `json_each`, or every book.
        let ids: Option<String> = if selection.all {
            None
        } else {
            let mut ids: Vec<i64> = selection.book_ids.clone();
            let statuses = serde_json::to_string(&selection.status_ids).unwrap_or_default();
            let lists = serde_json::to_string(&selection.list_ids).unwrap_or_default();
            let mut stmt = conn.prepare(
                "SELECT book_id FROM hc_user_books WHERE status_id IN (SELECT value FROM json_each(?1))
                 UNION SELECT book_id FROM hc_list_books WHERE list_id IN (SELECT value FROM json_each(?2))",
            )?;
            for id in stmt.query_map(params![statuses, lists], |r| r.get::<_, i64>(0))? {
                ids.push(id?);
            }
            Some(serde_json::to_string(&ids).unwrap_or_default())
        };
        let (only, args): (&str, Vec<&dyn rusqlite::ToSql>) = match &ids {
            Some(json) => ("IN (SELECT value FROM json_each(?1))", vec![json as &dyn rusqlite::ToSql]),
            None => ("IS NOT NULL", vec![]),
        };
        let args = args.as_slice();
        let mut books: HashMap<i64, CachedBook> = HashMap::new();
        for b in conn.prepare(&format!("SELECT * FROM hc_books WHERE id {only}"))?.query_map(args, book_from)? {
            let b = b?;
            books.insert(b.id, b);
        }
        let mut editions: HashMap<i64, CachedEdition> = HashMap::new();
        let sql = format!(
            "SELECT * FROM hc_editions WHERE id IN (SELECT edition_id FROM hc_user_books WHERE book_id {only})"
        );
        for e in conn.prepare(&sql)?.query_map(args, edition_from)? {
            let e = e?;
            editions.insert(e.id, e);
        }
        let mut reads: HashMap<i64, Vec<CachedRead>> = HashMap::new();
        let sql = format!(
            "SELECT * FROM hc_reads WHERE user_book_id IN (SELECT id FROM hc_user_books WHERE book_id {only}) ORDER BY id DESC"
        );
        for r in conn.prepare(&sql)?.query_map(args, read_from)? {
            let r = r?;
            reads.entry(r.user_book_id).or_default().push(r);
        }
        let mut lists_of: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in conn
            .prepare(&format!("SELECT book_id, list_id FROM hc_list_books WHERE book_id {only} ORDER BY list_id"))?
            .query_map(args, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
        {
            let (book, list) = row?;
            let v = lists_of.entry(book).or_default();
            if !v.contains(&list) {
                v.push(list);
            }
        }
        let mut user_books: HashMap<i64, CachedUserBook> = HashMap::new();
        let sql = format!("SELECT * FROM hc_user_books WHERE book_id {only}");
        for u in conn.prepare(&sql)?.query_map(args, user_book_from)? {
            let u = u?;
            user_books.insert(u.book_id, u);
        }
        drop(conn);

        let wanted = |book_id: i64, ub: Option<&CachedUserBook>, lists: &[i64]| {
            selection.all
                || selection.book_ids.contains(&book_id)
                || ub.is_some_and(|u| selection.status_ids.contains(&u.status_id))
                || lists.iter().any(|l| selection.list_ids.contains(l))
        };
        let mut out = Vec::new();
        for (id, book) in books {
            let ub = user_books.remove(&id);
            let list_ids = lists_of.remove(&id).unwrap_or_default();
            // A book that is neither shelved nor listed is catalog data only (e.g. from a lookup).
            if ub.is_none() && list_ids.is_empty() {
                continue;
            }
            if !wanted(id, ub.as_ref(), &list_ids) {
                continue;
            }
            let edition = ub.as_ref().and_then(|u| u.edition_id).and_then(|e| editions.get(&e).cloned());
            let rs = ub.as_ref().and_then(|u| reads.remove(&u.id)).unwrap_or_default();
            out.push(LibraryRow { book, user_book: ub, edition, reads: rs, list_ids });
        }
        out.sort_by(|a, b| {
            a.book.title.to_lowercase().cmp(&b.book.title.to_lowercase()).then(a.book.id.cmp(&b.book.id))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn book(id: i64, title: &str) -> CachedBook {
        CachedBook {
            id,
            title: title.into(),
            subtitle: None,
            slug: None,
            authors: vec!["Ann Author".into()],
            cover_url: None,
            pages: Some(300),
            release_year: Some(2001),
        }
    }

    fn user_book(id: i64, book_id: i64, status_id: i64) -> CachedUserBook {
        CachedUserBook {
            id,
            book_id,
            edition_id: None,
            status_id,
            rating: None,
            date_added: None,
            updated_at: None,
            owned: false,
        }
    }

    #[test]
    fn counts_rows_and_selection() {
        let s = Store::open_in_memory().unwrap();
        s.upsert_books(&[book(1, "b"), book(2, "A"), book(3, "c"), book(4, "catalog only")]).unwrap();
        s.upsert_user_books(&[(user_book(10, 1, 3), vec![]), (user_book(11, 2, 1), vec![])]).unwrap();
        let list =
            CachedList { id: 7, name: "Faves".into(), slug: None, description: None, books_count: 2, updated_at: None };
        let lb = |id, book_id| CachedListBook {
            id,
            list_id: 7,
            book_id,
            edition_id: None,
            position: None,
            date_added: None,
        };
        s.replace_lists(&[(list, vec![lb(100, 1), lb(101, 3)])]).unwrap();

        assert_eq!(s.status_counts().unwrap(), [1, 0, 1, 0, 0, 0], "counts must follow the status ids 1..=6");
        let all = s.library_rows(&Selection::everything()).unwrap();
        let titles: Vec<_> = all.iter().map(|r| r.book.title.as_str()).collect();
        assert_eq!(
            titles,
            ["A", "b", "c"],
            "everything = shelved or listed books, by title, without catalog-only books"
        );
        let read = s.library_rows(&Selection { status_ids: vec![3], ..Default::default() }).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].list_ids, vec![7], "a row must carry the lists its book is on");
        let listed = s.library_rows(&Selection { list_ids: vec![7], ..Default::default() }).unwrap();
        assert_eq!(listed.len(), 2, "a list selection must include unshelved list books");
        assert!(s.library_rows(&Selection::default()).unwrap().is_empty(), "an empty selection selects nothing");
    }

    #[test]
    fn a_shelf_s_rows_carry_their_edition_and_reads_and_nothing_else() {
        let s = Store::open_in_memory().unwrap();
        s.upsert_books(&[book(1, "On the shelf"), book(2, "Elsewhere")]).unwrap();
        let edition = |id, book_id| CachedEdition {
            id,
            book_id,
            title: None,
            pages: Some(300),
            audio_seconds: None,
            reading_format_id: Some(1),
            isbn_10: None,
            isbn_13: None,
            asin: None,
            cover_url: None,
        };
        s.upsert_editions(&[edition(50, 1), edition(60, 2)]).unwrap();
        let read = |id, user_book_id| CachedRead {
            id,
            user_book_id,
            edition_id: None,
            progress: Some(40.0),
            progress_pages: None,
            progress_seconds: None,
            started_at: Some("2026-01-02".into()),
            finished_at: None,
            paused_at: None,
        };
        let on_shelf = CachedUserBook { edition_id: Some(50), ..user_book(10, 1, 2) };
        let elsewhere = CachedUserBook { edition_id: Some(60), ..user_book(11, 2, 3) };
        s.upsert_user_books(&[(on_shelf, vec![read(1, 10)]), (elsewhere, vec![read(2, 11)])]).unwrap();

        let rows = s.library_rows(&Selection { status_ids: vec![2], ..Default::default() }).unwrap();
        assert_eq!(rows.len(), 1, "a shelf's rows are its books only");
        assert_eq!(rows[0].edition.as_ref().map(|e| e.id), Some(50), "a row must carry its own edition");
        assert_eq!(rows[0].reads.iter().map(|r| r.id).collect::<Vec<_>>(), [1], "and its own reads, no other book's");
        let by_id = s.library_rows(&Selection { book_ids: vec![2], ..Default::default() }).unwrap();
        assert_eq!(by_id[0].edition.as_ref().map(|e| e.id), Some(60), "a book picked by id is read whole too");
        let all = s.library_rows(&Selection::everything()).unwrap();
        assert!(all.iter().all(|r| r.edition.is_some() && r.reads.len() == 1), "everything reads every table whole");
    }

    #[test]
    fn reads_replace_and_retain() {
        let s = Store::open_in_memory().unwrap();
        s.upsert_books(&[book(1, "x"), book(2, "y")]).unwrap();
        let read = |id, fin: Option<&str>| CachedRead {
            id,
            user_book_id: 10,
            edition_id: None,
            progress: None,
            progress_pages: None,
            progress_seconds: None,
            started_at: None,
            finished_at: fin.map(str::to_owned),
            paused_at: None,
        };
        s.upsert_user_books(&[(user_book(10, 1, 3), vec![read(1, Some("2024-01-01")), read(2, Some("2025-02-02"))])])
            .unwrap();
        s.upsert_user_books(&[(user_book(10, 1, 3), vec![read(2, Some("2025-02-02"))])]).unwrap();
        let rows = s.library_rows(&Selection::everything()).unwrap();
        assert_eq!(rows[0].reads.len(), 1, "re-importing a user_book must replace its reads, not add to them");
        assert_eq!(rows[0].finished_at(), Some("2025-02-02"));
        s.upsert_user_books(&[(user_book(11, 2, 1), vec![])]).unwrap();
        assert_eq!(s.retain_user_books(&[11]).unwrap(), 1);
        assert_eq!(s.status_counts().unwrap(), [1, 0, 0, 0, 0, 0], "retain must drop user_books gone from Hardcover");
    }
}
