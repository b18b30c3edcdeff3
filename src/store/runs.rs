//! `sync_runs`: one row per sync, with its summary JSON once finished.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct SyncRun {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub direction: String,
    pub dry_run: bool,
    /// `sync::summary::Summary` as JSON.
    pub summary: Option<String>,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<SyncRun> {
    Ok(SyncRun {
        id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        direction: r.get(3)?,
        dry_run: r.get(4)?,
        summary: r.get(5)?,
    })
}

const COLUMNS: &str = "id, started_at, finished_at, direction, dry_run, summary";

impl Store {
    pub fn run_start(&self, started_at: DateTime<Utc>, direction: &str, dry_run: bool) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO sync_runs(started_at, direction, dry_run) VALUES (?1, ?2, ?3)",
            params![started_at, direction, dry_run],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn run_finish(&self, id: i64, finished_at: DateTime<Utc>, summary_json: &str) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE sync_runs SET finished_at = ?2, summary = ?3 WHERE id = ?1",
            params![id, finished_at, summary_json],
        )?;
        if n == 0 {
            return Err(StoreError::Corrupt(format!("sync run {id} does not exist")));
        }
        Ok(())
    }

    pub fn run_get(&self, id: i64) -> Result<Option<SyncRun>> {
        Ok(self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM sync_runs WHERE id = ?1"), params![id], from_row)
            .optional()?)
    }

    /// Newest first.
    pub fn runs_recent(&self, limit: u32) -> Result<Vec<SyncRun>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM sync_runs ORDER BY id DESC LIMIT ?1"))?;
        Ok(stmt.query_map(params![limit], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn start_finish_and_list() {
        let s = Store::open_in_memory().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t1 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 2, 0).unwrap();
        let a = s.run_start(t0, "to_hardcover", true).unwrap();
        let b = s.run_start(t1, "bidirectional", false).unwrap();
        let run = s.run_get(a).unwrap().unwrap();
        assert_eq!((run.finished_at, run.summary), (None, None), "a started run is unfinished until finished");
        assert!(run.dry_run);
        s.run_finish(a, t1, r#"{"added":1}"#).unwrap();
        let run = s.run_get(a).unwrap().unwrap();
        assert_eq!(run.finished_at, Some(t1));
        assert_eq!(run.summary.as_deref(), Some(r#"{"added":1}"#), "the summary must be stored as given");
        let recent = s.runs_recent(10).unwrap();
        assert_eq!(recent.iter().map(|r| r.id).collect::<Vec<_>>(), [b, a], "recent runs come newest first");
        assert!(s.run_finish(99, t1, "{}").is_err(), "finishing a missing run must be an error");
    }
}
