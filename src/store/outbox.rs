//! `outbox`: every change is written here BEFORE it is sent, so a crash mid-sync leaves a record of
//! what may or may not have reached Hardcover; `sync::outbox::reconcile` decides what to do with it.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Written, not yet sent.
    Pending,
    /// Sent; no answer recorded (a crash here means "maybe applied").
    Sent,
    Done,
    Failed,
    /// Held back (daily budget); sent on a later run.
    Deferred,
    /// Superseded: reconciliation found it no longer applies (the next plan starts afresh).
    Obsolete,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
            OutboxState::Deferred => "deferred",
            OutboxState::Obsolete => "obsolete",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => OutboxState::Pending,
            "sent" => OutboxState::Sent,
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            "deferred" => OutboxState::Deferred,
            "obsolete" => OutboxState::Obsolete,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxEntry {
    pub run_id: Option<i64>,
    pub source: String,
    pub item_id: String,
    pub kind: String,
    /// JSON; never holds a secret.
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub run_id: Option<i64>,
    pub source: String,
    pub item_id: String,
    pub kind: String,
    pub payload: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub result: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, run_id, source, item_id, kind, payload, state, attempts, result, error, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(OutboxEntry, String)> {
    Ok((
        OutboxEntry {
            id: r.get(0)?,
            run_id: r.get(1)?,
            source: r.get(2)?,
            item_id: r.get(3)?,
            kind: r.get(4)?,
            payload: r.get(5)?,
            state: OutboxState::Pending,
            attempts: r.get(7)?,
            result: r.get(8)?,
            error: r.get(9)?,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
        },
        r.get(6)?,
    ))
}

fn finish((mut e, state): (OutboxEntry, String)) -> Result<OutboxEntry> {
    e.state = OutboxState::parse(&state)
        .ok_or_else(|| StoreError::Corrupt(format!("outbox entry {}: unknown state {state:?}", e.id)))?;
    Ok(e)
}

impl Store {
    /// Enqueue entries in one transaction, in order; returns their ids. All or nothing, so an
    /// item's steps are never half-recorded.
    pub fn outbox_enqueue(&self, entries: &[NewOutboxEntry], now: DateTime<Utc>) -> Result<Vec<i64>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(entries.len());
        for e in entries {
            tx.execute(
                "INSERT INTO outbox(run_id, source, item_id, kind, payload, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
                params![e.run_id, e.source, e.item_id, e.kind, e.payload, now],
            )?;
            ids.push(tx.last_insert_rowid());
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn outbox_get(&self, id: i64) -> Result<Option<OutboxEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1");
        self.conn().query_row(&sql, params![id], from_row).optional()?.map(finish).transpose()
    }

    /// Entries not finished yet (pending, sent, deferred), oldest first: the order they must go out.
    pub fn outbox_open(&self) -> Result<Vec<OutboxEntry>> {
        self.outbox_query("state IN ('pending', 'sent', 'deferred')", params![])
    }

    pub fn outbox_for_item(&self, source: &str, item_id: &str) -> Result<Vec<OutboxEntry>> {
        self.outbox_query("source = ?1 AND item_id = ?2", params![source, item_id])
    }

    fn outbox_query(&self, filter: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<OutboxEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE {filter} ORDER BY id");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let raw = stmt.query_map(p, from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter().map(finish).collect()
    }

    /// Recorded right before the request goes out.
    pub fn outbox_mark_sent(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.outbox_set(id, "state = 'sent', attempts = attempts + 1, updated_at = ?2", params![id, now])
    }

    pub fn outbox_mark_done(&self, id: i64, result: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        self.outbox_set(id, "state = 'done', result = ?3, error = NULL, updated_at = ?2", params![id, now, result])
    }

    pub fn outbox_mark_failed(&self, id: i64, error: &str, now: DateTime<Utc>) -> Result<()> {
        self.outbox_set(id, "state = 'failed', error = ?3, updated_at = ?2", params![id, now, error])
    }

    /// Held back; `reason` says why (shown to the user).
    pub fn outbox_mark_deferred(&self, id: i64, reason: &str, now: DateTime<Utc>) -> Result<()> {
        self.outbox_set(id, "state = 'deferred', error = ?3, updated_at = ?2", params![id, now, reason])
    }

    pub fn outbox_mark_obsolete(&self, id: i64, why: &str, now: DateTime<Utc>) -> Result<()> {
        self.outbox_set(id, "state = 'obsolete', error = ?3, updated_at = ?2", params![id, now, why])
    }

    fn outbox_set(&self, id: i64, set: &str, p: &[&dyn rusqlite::ToSql]) -> Result<()> {
        let n = self.conn().execute(&format!("UPDATE outbox SET {set} WHERE id = ?1"), p)?;
        if n == 0 {
            return Err(StoreError::Corrupt(format!("outbox entry {id} does not exist")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn new(item: &str, kind: &str) -> NewOutboxEntry {
        NewOutboxEntry {
            run_id: Some(1),
            source: "abs".into(),
            item_id: item.into(),
            kind: kind.into(),
            payload: "{}".into(),
        }
    }

    #[test]
    fn lifecycle_enqueue_send_done_fail_defer() {
        let s = Store::open_in_memory().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t1 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 0).unwrap();
        let ids = s.outbox_enqueue(&[new("a", "set_status"), new("a", "update_read"), new("b", "rate")], t0).unwrap();
        assert_eq!(ids.len(), 3);
        let open = s.outbox_open().unwrap();
        assert_eq!(open.iter().map(|e| e.id).collect::<Vec<_>>(), ids, "open entries must come out in enqueue order");
        assert!(open.iter().all(|e| e.state == OutboxState::Pending && e.created_at == t0));

        s.outbox_mark_sent(ids[0], t1).unwrap();
        let e = s.outbox_get(ids[0]).unwrap().unwrap();
        assert_eq!((e.state, e.attempts, e.updated_at), (OutboxState::Sent, 1, t1), "sending must be recorded first");
        s.outbox_mark_done(ids[0], Some(r#"{"read_id":5}"#), t1).unwrap();
        s.outbox_mark_failed(ids[1], "Hardcover refused the change: x", t1).unwrap();
        s.outbox_mark_deferred(ids[2], "daily budget low", t1).unwrap();
        let extra = s.outbox_enqueue(&[new("c", "rate")], t1).unwrap();
        s.outbox_mark_obsolete(extra[0], "superseded", t1).unwrap();

        let open = s.outbox_open().unwrap();
        assert_eq!(open.len(), 1, "done, failed and obsolete entries are not open; deferred ones are");
        assert_eq!(open[0].state, OutboxState::Deferred);
        assert_eq!(open[0].error.as_deref(), Some("daily budget low"), "a deferral must say why");
        assert_eq!(s.outbox_get(ids[0]).unwrap().unwrap().result.as_deref(), Some(r#"{"read_id":5}"#));
        assert_eq!(s.outbox_for_item("abs", "a").unwrap().len(), 2);
        assert!(s.outbox_mark_done(999, None, t1).is_err(), "marking a missing entry must be an error, not a no-op");
    }
}
