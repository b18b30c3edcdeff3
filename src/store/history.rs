//! `history`: one row per item per sync: what was decided, what happened, why, and the Hardcover
//! ids touched, so "it says synced but nothing changed" can be checked.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::{Result, Store};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryEntry {
    pub run_id: i64,
    pub source: String,
    pub item_id: String,
    pub title: Option<String>,
    pub action: String,
    pub result: String,
    pub reason: Option<String>,
    pub book_id: Option<i64>,
    pub user_book_id: Option<i64>,
    pub read_id: Option<i64>,
    pub at: DateTime<Utc>,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        run_id: r.get(0)?,
        source: r.get(1)?,
        item_id: r.get(2)?,
        title: r.get(3)?,
        action: r.get(4)?,
        result: r.get(5)?,
        reason: r.get(6)?,
        book_id: r.get(7)?,
        user_book_id: r.get(8)?,
        read_id: r.get(9)?,
        at: r.get(10)?,
    })
}

const COLUMNS: &str = "run_id, source, item_id, title, action, result, reason, book_id, user_book_id, read_id, at";

impl Store {
    pub fn history_add(&self, h: &HistoryEntry) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            &format!("INSERT INTO history({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            params![
                h.run_id,
                h.source,
                h.item_id,
                h.title,
                h.action,
                h.result,
                h.reason,
                h.book_id,
                h.user_book_id,
                h.read_id,
                h.at
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn history_for_run(&self, run_id: i64) -> Result<Vec<HistoryEntry>> {
        self.history_query("run_id = ?1 ORDER BY id", params![run_id])
    }

    /// Newest first, at most `limit` rows.
    pub fn history_for_item(&self, source: &str, item_id: &str, limit: u32) -> Result<Vec<HistoryEntry>> {
        self.history_query("source = ?1 AND item_id = ?2 ORDER BY id DESC LIMIT ?3", params![source, item_id, limit])
    }

    /// The latest `limit` rows of every run and item, newest first.
    pub fn history_recent(&self, limit: u32) -> Result<Vec<HistoryEntry>> {
        self.history_query("1 = 1 ORDER BY id DESC LIMIT ?1", params![limit])
    }

    /// Drop rows older than `before` (history grows by one row per item per sync). Returns how many.
    pub fn history_prune(&self, before: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn().execute("DELETE FROM history WHERE at < ?1", params![before])?)
    }

    fn history_query(&self, tail: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<HistoryEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM history WHERE {tail}"))?;
        Ok(stmt.query_map(p, from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(run: i64, item: &str, action: &str, minute: u32) -> HistoryEntry {
        HistoryEntry {
            run_id: run,
            source: "abs".into(),
            item_id: item.into(),
            title: Some("Dune".into()),
            action: action.into(),
            result: "ok".into(),
            reason: None,
            book_id: Some(1),
            user_book_id: Some(2),
            read_id: Some(3),
            at: Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap(),
        }
    }

    #[test]
    fn query_by_run_and_by_item() {
        let s = Store::open_in_memory().unwrap();
        s.history_add(&entry(1, "a", "add", 0)).unwrap();
        s.history_add(&entry(1, "b", "skip", 1)).unwrap();
        s.history_add(&entry(2, "a", "progress", 2)).unwrap();
        let run1 = s.history_for_run(1).unwrap();
        assert_eq!(run1.iter().map(|h| h.item_id.as_str()).collect::<Vec<_>>(), ["a", "b"], "a run lists its items");
        let item_a = s.history_for_item("abs", "a", 10).unwrap();
        assert_eq!(
            item_a.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(),
            ["progress", "add"],
            "an item's history must come newest first across runs"
        );
        assert_eq!(item_a[0], entry(2, "a", "progress", 2), "every field must round-trip");
        assert_eq!(s.history_for_item("abs", "a", 1).unwrap().len(), 1, "the limit must apply");
        let cutoff = Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 30).unwrap();
        assert_eq!(s.history_prune(cutoff).unwrap(), 2, "rows older than the cutoff are pruned");
        assert_eq!(s.history_for_run(2).unwrap().len(), 1, "newer rows are kept");
    }
}
