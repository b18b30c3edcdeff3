//! `matches`: which Hardcover book (and edition) a source item is, cached so a known item costs no
//! lookup. `key` holds the identifiers the match was made from: when they change, the caller
//! re-matches.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    Asin,
    Isbn13,
    Isbn10,
    Search,
    /// The user linked (or unlinked) it: never re-matched automatically.
    Manual,
}

impl MatchMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::Asin => "asin",
            MatchMethod::Isbn13 => "isbn13",
            MatchMethod::Isbn10 => "isbn10",
            MatchMethod::Search => "search",
            MatchMethod::Manual => "manual",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "asin" => MatchMethod::Asin,
            "isbn13" => MatchMethod::Isbn13,
            "isbn10" => MatchMethod::Isbn10,
            "search" => MatchMethod::Search,
            "manual" => MatchMethod::Manual,
            _ => return None,
        })
    }
}

/// A book the free-text search offered, kept for the UI when no candidate was good enough.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub book_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchRow {
    pub source: String,
    pub item_id: String,
    /// `None`: unmatched (see `candidates`) or unlinked by the user.
    pub book_id: Option<i64>,
    pub edition_id: Option<i64>,
    pub method: MatchMethod,
    pub confidence: f64,
    pub candidates: Vec<Candidate>,
    pub key: String,
    pub updated_at: DateTime<Utc>,
    /// The item's title and authors as its source names them. `None` when the row is written
    /// without the item at hand (a link or unlink by id): the ones already stored are kept.
    pub title: Option<String>,
    pub authors: Vec<String>,
}

const COLUMNS: &str =
    "source, item_id, book_id, edition_id, method, confidence, candidates, key, updated_at, title, authors";

/// The raw row: the match, its method and candidates and authors as stored (parsed in `finish`).
type RawRow = (MatchRow, String, String, String);

fn from_row(r: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        MatchRow {
            source: r.get(0)?,
            item_id: r.get(1)?,
            book_id: r.get(2)?,
            edition_id: r.get(3)?,
            method: MatchMethod::Manual,
            confidence: r.get(5)?,
            candidates: Vec::new(),
            key: r.get(7)?,
            updated_at: r.get(8)?,
            title: r.get(9)?,
            authors: Vec::new(),
        },
        r.get(4)?,
        r.get(6)?,
        r.get(10)?,
    ))
}

fn finish((mut row, method, candidates, authors): RawRow) -> Result<MatchRow> {
    row.method = MatchMethod::parse(&method)
        .ok_or_else(|| StoreError::Corrupt(format!("matches: unknown method {method:?} for {}", row.item_id)))?;
    row.candidates = serde_json::from_str(&candidates)
        .map_err(|e| StoreError::Corrupt(format!("matches: candidates of {}: {e}", row.item_id)))?;
    row.authors = serde_json::from_str(&authors)
        .map_err(|e| StoreError::Corrupt(format!("matches: authors of {}: {e}", row.item_id)))?;
    Ok(row)
}

impl Store {
    pub fn match_get(&self, source: &str, item_id: &str) -> Result<Option<MatchRow>> {
        let sql = format!("SELECT {COLUMNS} FROM matches WHERE source = ?1 AND item_id = ?2");
        let raw = self.conn().query_row(&sql, params![source, item_id], from_row).optional()?;
        raw.map(finish).transpose()
    }

    pub fn match_put(&self, m: &MatchRow) -> Result<()> {
        let candidates = serde_json::to_string(&m.candidates).expect("candidates serialize");
        let authors = serde_json::to_string(&m.authors).expect("authors serialize");
        // A row written without the item (title NULL) keeps the title and authors stored before.
        self.conn().execute(
            "INSERT INTO matches(source, item_id, book_id, edition_id, method, confidence, candidates, key, updated_at,
               title, authors)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT(source, item_id) DO UPDATE SET book_id = excluded.book_id, edition_id = excluded.edition_id,
               method = excluded.method, confidence = excluded.confidence, candidates = excluded.candidates,
               key = excluded.key, updated_at = excluded.updated_at,
               title = COALESCE(excluded.title, matches.title),
               authors = CASE WHEN excluded.title IS NULL THEN matches.authors ELSE excluded.authors END",
            params![
                m.source,
                m.item_id,
                m.book_id,
                m.edition_id,
                m.method.as_str(),
                m.confidence,
                candidates,
                m.key,
                m.updated_at,
                m.title,
                authors
            ],
        )?;
        Ok(())
    }

    pub fn match_delete(&self, source: &str, item_id: &str) -> Result<()> {
        self.conn().execute("DELETE FROM matches WHERE source = ?1 AND item_id = ?2", params![source, item_id])?;
        Ok(())
    }

    /// Items without a book, for the "needs attention" list.
    pub fn matches_unmatched(&self) -> Result<Vec<MatchRow>> {
        let sql = format!("SELECT {COLUMNS} FROM matches WHERE book_id IS NULL ORDER BY source, item_id");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let raw = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter().map(finish).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(item: &str, book: Option<i64>) -> MatchRow {
        MatchRow {
            source: "abs".into(),
            item_id: item.into(),
            book_id: book,
            edition_id: book.map(|b| b * 10),
            method: if book.is_some() { MatchMethod::Isbn13 } else { MatchMethod::Search },
            confidence: 0.5,
            candidates: vec![Candidate {
                book_id: 7,
                title: "Dune".into(),
                authors: vec!["Frank Herbert".into()],
                score: 0.5,
            }],
            key: "isbn13=9780441013593".into(),
            updated_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            title: Some("Dune: Deluxe Edition".into()),
            authors: vec!["Frank Herbert".into(), "Brian Herbert".into()],
        }
    }

    #[test]
    fn put_get_replace_delete_round_trip() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.match_get("abs", "1").unwrap(), None);
        s.match_put(&row("1", Some(1))).unwrap();
        assert_eq!(
            s.match_get("abs", "1").unwrap(),
            Some(row("1", Some(1))),
            "a stored match must read back unchanged"
        );
        s.match_put(&row("1", None)).unwrap();
        assert_eq!(s.match_get("abs", "1").unwrap().unwrap().book_id, None, "a second put must replace the match");
        assert_eq!(s.match_get("other", "1").unwrap(), None, "matches are keyed by source too");
        s.match_delete("abs", "1").unwrap();
        assert_eq!(s.match_get("abs", "1").unwrap(), None);
    }

    #[test]
    fn unmatched_lists_only_items_without_a_book_with_candidates() {
        let s = Store::open_in_memory().unwrap();
        s.match_put(&row("1", Some(1))).unwrap();
        s.match_put(&row("2", None)).unwrap();
        let un = s.matches_unmatched().unwrap();
        assert_eq!(un.len(), 1, "only the unmatched item belongs in the list");
        assert_eq!(un[0].candidates[0].title, "Dune", "unmatched items must keep their candidates for the UI");
        assert_eq!(
            (un[0].title.as_deref(), un[0].authors.as_slice()),
            (Some("Dune: Deluxe Edition"), ["Frank Herbert".to_string(), "Brian Herbert".to_string()].as_slice()),
            "an unmatched item must come back with the title and authors its source gave"
        );
    }

    #[test]
    fn a_row_written_without_the_item_keeps_its_title_and_authors() {
        let s = Store::open_in_memory().unwrap();
        s.match_put(&row("1", None)).unwrap();
        // An unlink by id: the item is not at hand.
        s.match_put(&MatchRow { title: None, authors: Vec::new(), method: MatchMethod::Manual, ..row("1", None) })
            .unwrap();
        let got = s.match_get("abs", "1").unwrap().unwrap();
        assert_eq!(got.method, MatchMethod::Manual, "the new row replaces the match");
        assert_eq!(
            (got.title.as_deref(), got.authors.len()),
            (Some("Dune: Deluxe Edition"), 2),
            "a link or unlink must not forget how the source names the item"
        );
    }
}
