//! Each reading server's health across syncs: ok, or failing since when and why. Kept here, not
//! only in the last run's summary, so a failure stays on screen until a sync reads the server
//! again, and "started failing" can be told apart from "still failing" (announced once).

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceHealth {
    pub source: String,
    /// When the failure began (RFC 3339); `None` while the source works.
    pub failing_since: Option<String>,
    pub message: Option<String>,
    pub last_ok_at: Option<String>,
    pub checked_at: String,
}

impl SourceHealth {
    pub fn failing(&self) -> bool {
        self.failing_since.is_some()
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Store {
    /// Record what a sync found of `source`: `Ok(())` or the failure's message. Returns true when
    /// the source has just started failing (it worked, or was never checked, before).
    pub fn source_health_record(&self, source: &str, result: Result<(), &str>, now: DateTime<Utc>) -> Result<bool> {
        let conn = self.conn();
        let was_failing: bool = conn
            .query_row("SELECT failing_since IS NOT NULL FROM source_health WHERE source = ?1", params![source], |r| {
                r.get(0)
            })
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(false) } else { Err(e) })?;
        let now = rfc3339(now);
        match result {
            Ok(()) => conn.execute(
                "INSERT INTO source_health(source, failing_since, message, last_ok_at, checked_at)
                 VALUES (?1, NULL, NULL, ?2, ?2)
                 ON CONFLICT(source) DO UPDATE SET failing_since = NULL, message = NULL,
                   last_ok_at = excluded.last_ok_at, checked_at = excluded.checked_at",
                params![source, now],
            )?,
            // The start of a failure is kept while it lasts; the message follows the latest try.
            Err(message) => conn.execute(
                "INSERT INTO source_health(source, failing_since, message, last_ok_at, checked_at)
                 VALUES (?1, ?2, ?3, NULL, ?2)
                 ON CONFLICT(source) DO UPDATE SET
                   failing_since = COALESCE(source_health.failing_since, excluded.failing_since),
                   message = excluded.message, checked_at = excluded.checked_at",
                params![source, now, message],
            )?,
        };
        Ok(result.is_err() && !was_failing)
    }

    /// Every source's health, failing ones first, then by name.
    pub fn source_health_all(&self) -> Result<Vec<SourceHealth>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT source, failing_since, message, last_ok_at, checked_at FROM source_health
             ORDER BY failing_since IS NULL, source",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceHealth {
                source: r.get(0)?,
                failing_since: r.get(1)?,
                message: r.get(2)?,
                last_ok_at: r.get(3)?,
                checked_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Forget sources no longer configured (renamed or removed), so they do not fail forever.
    pub fn source_health_retain(&self, sources: &[&str]) -> Result<usize> {
        let conn = self.conn();
        let all: Vec<String> =
            conn.prepare("SELECT source FROM source_health")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let mut removed = 0;
        for name in all.iter().filter(|n| !sources.contains(&n.as_str())) {
            removed += conn.execute("DELETE FROM source_health WHERE source = ?1", params![name])?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use crate::store::Store;

    #[test]
    fn a_failure_is_announced_once_and_keeps_its_start_until_the_source_works() {
        let s = Store::open_in_memory().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap();
        assert!(!s.source_health_record("abs", Ok(()), t0).unwrap(), "a working source is not news");
        let t1 = t0 + Duration::minutes(30);
        assert!(s.source_health_record("abs", Err("cannot reach abs"), t1).unwrap(), "the first failure is news");
        let t2 = t1 + Duration::minutes(30);
        assert!(!s.source_health_record("abs", Err("still down"), t2).unwrap(), "a failure going on is not news again");
        let h = s.source_health_all().unwrap();
        assert_eq!(h[0].failing_since.as_deref(), Some("2026-12-05T10:30:00Z"), "failing since its first failure");
        assert_eq!(h[0].message.as_deref(), Some("still down"), "the message is the latest");
        assert_eq!(h[0].last_ok_at.as_deref(), Some("2026-12-05T10:00:00Z"));
        s.source_health_record("abs", Ok(()), t2 + Duration::minutes(30)).unwrap();
        assert!(!s.source_health_all().unwrap()[0].failing(), "a sync that reads the source again clears it");
    }

    #[test]
    fn failing_sources_come_first_and_removed_ones_are_forgotten() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap();
        s.source_health_record("a-komga", Ok(()), now).unwrap();
        s.source_health_record("z-kavita", Err("401"), now).unwrap();
        s.source_health_record("old", Err("gone"), now).unwrap();
        assert_eq!(s.source_health_retain(&["a-komga", "z-kavita"]).unwrap(), 1);
        let names: Vec<String> = s.source_health_all().unwrap().into_iter().map(|h| h.source).collect();
        assert_eq!(names, ["z-kavita", "a-komga"], "failing first, and a removed source is forgotten");
    }
}
