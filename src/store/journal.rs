//! `journal_entries`: the highlights sent to the Hardcover reading journal, each with the journal
//! entry id it created. The row is written when Hardcover confirmed the entry, so a highlight with a
//! row is never sent again (an edited note updates the entry instead), and the shelf browser shows
//! a book's highlights from here without asking Hardcover.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Row, params};
use serde::Serialize;

use super::{Result, Store};

/// One highlight as it was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalRow {
    pub source: String,
    pub item_id: String,
    pub key: String,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub journal_id: i64,
    pub entry: String,
    pub highlight: String,
    pub note: Option<String>,
    pub chapter: Option<String>,
    pub made_at: Option<DateTime<Utc>>,
    /// When the highlight was no longer on the device (its entry stays on Hardcover unless the
    /// user asked for removed highlights to be deleted).
    pub removed_at: Option<DateTime<Utc>>,
}

/// A book's highlight as the book detail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HighlightView {
    /// The configured source it came from.
    pub source: String,
    pub text: String,
    pub note: Option<String>,
    pub chapter: Option<String>,
    /// When it was made on the device (RFC 3339), when the device recorded it.
    pub made_at: Option<String>,
    /// Its entry in the Hardcover reading journal.
    pub journal_id: i64,
    /// No longer on the device; the journal entry was kept.
    pub removed: bool,
}

const COLUMNS: &str =
    "source, item_id, key, book_id, edition_id, journal_id, entry, highlight, note, chapter, made_at, removed_at";

fn row(r: &Row<'_>) -> rusqlite::Result<JournalRow> {
    Ok(JournalRow {
        source: r.get(0)?,
        item_id: r.get(1)?,
        key: r.get(2)?,
        book_id: r.get(3)?,
        edition_id: r.get(4)?,
        journal_id: r.get(5)?,
        entry: r.get(6)?,
        highlight: r.get(7)?,
        note: r.get(8)?,
        chapter: r.get(9)?,
        made_at: r.get(10)?,
        removed_at: r.get(11)?,
    })
}

impl Store {
    /// Record (or replace) the entry Hardcover confirmed for a highlight.
    pub fn journal_put(&self, j: &JournalRow, now: DateTime<Utc>) -> Result<()> {
        self.conn().execute(
            "INSERT INTO journal_entries(source, item_id, key, book_id, edition_id, journal_id, entry, highlight,
                                         note, chapter, made_at, removed_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(source, item_id, key) DO UPDATE SET
               book_id = excluded.book_id, edition_id = excluded.edition_id, journal_id = excluded.journal_id,
               entry = excluded.entry, highlight = excluded.highlight, note = excluded.note,
               chapter = excluded.chapter, made_at = excluded.made_at, removed_at = excluded.removed_at,
               updated_at = excluded.updated_at",
            params![
                j.source,
                j.item_id,
                j.key,
                j.book_id,
                j.edition_id,
                j.journal_id,
                j.entry,
                j.highlight,
                j.note,
                j.chapter,
                j.made_at,
                j.removed_at,
                now
            ],
        )?;
        Ok(())
    }

    /// Every highlight sent from one source item.
    pub fn journal_of_item(&self, source: &str, item_id: &str) -> Result<Vec<JournalRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM journal_entries WHERE source = ?1 AND item_id = ?2 ORDER BY made_at, key"
        ))?;
        Ok(stmt.query_map(params![source, item_id], row)?.collect::<rusqlite::Result<_>>()?)
    }

    /// Journal ids already recorded for a book (from any item).
    pub fn journal_ids_of_book(&self, book_id: i64) -> Result<Vec<i64>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT journal_id FROM journal_entries WHERE book_id = ?1")?;
        Ok(stmt.query_map(params![book_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }

    /// The highlight's entry was deleted on Hardcover: forget it.
    pub fn journal_forget(&self, source: &str, item_id: &str, key: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM journal_entries WHERE source = ?1 AND item_id = ?2 AND key = ?3",
            params![source, item_id, key],
        )?;
        Ok(())
    }

    /// These highlights are gone from the device (their entries stay on Hardcover).
    pub fn journal_mark_removed(&self, source: &str, item_id: &str, keys: &[String], now: DateTime<Utc>) -> Result<()> {
        let conn = self.conn();
        for key in keys {
            conn.execute(
                "UPDATE journal_entries SET removed_at = ?4, updated_at = ?4
                 WHERE source = ?1 AND item_id = ?2 AND key = ?3 AND removed_at IS NULL",
                params![source, item_id, key, now],
            )?;
        }
        Ok(())
    }

    /// A book's highlights, oldest first, from every source linked to it.
    pub fn highlights_of_book(&self, book_id: i64) -> Result<Vec<HighlightView>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare(&format!("SELECT {COLUMNS} FROM journal_entries WHERE book_id = ?1 ORDER BY made_at, key"))?;
        let rows = stmt.query_map(params![book_id], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|j| HighlightView {
                source: j.source,
                text: j.highlight,
                note: j.note,
                chapter: j.chapter,
                made_at: j.made_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                journal_id: j.journal_id,
                removed: j.removed_at.is_some(),
            })
            .collect())
    }
}
