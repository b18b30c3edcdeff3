//! `item_state`: what we last saw from a source item, what we last pushed to Hardcover, and what we
//! last wrote back to the source. The plan uses it to skip unchanged items and to never echo our
//! own write back to where it came from (no ping-pong).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

/// One write we made: the progress we set and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub fraction: f64,
    pub finished: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemState {
    pub source: String,
    pub item_id: String,
    /// The source's state when we last handled the item (see `sync::plan::fingerprint`).
    pub fingerprint: String,
    /// Hardcover's progress after our last sync of the item: what we wrote there, or what we saw
    /// there when both sides already agreed. A Hardcover value equal to it is not a new change.
    pub pushed: Option<Mark>,
    /// Last progress we wrote back to the source. A source value equal to it is our own echo.
    pub written_back: Option<Mark>,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    pub fn item_state_get(&self, source: &str, item_id: &str) -> Result<Option<ItemState>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT source, item_id, fingerprint, pushed_fraction, pushed_finished, pushed_at,
                        written_back_fraction, written_back_finished, written_back_at, updated_at
                 FROM item_state WHERE source = ?1 AND item_id = ?2",
                params![source, item_id],
                |r| {
                    let mark = |f: Option<f64>, fin: bool, at: Option<DateTime<Utc>>| {
                        at.map(|at| Mark { fraction: f.unwrap_or(0.0), finished: fin, at })
                    };
                    Ok(ItemState {
                        source: r.get(0)?,
                        item_id: r.get(1)?,
                        fingerprint: r.get(2)?,
                        pushed: mark(r.get(3)?, r.get(4)?, r.get(5)?),
                        written_back: mark(r.get(6)?, r.get(7)?, r.get(8)?),
                        updated_at: r.get(9)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn item_state_put(&self, s: &ItemState) -> Result<()> {
        self.conn().execute(
            "INSERT INTO item_state(source, item_id, fingerprint, pushed_fraction, pushed_finished, pushed_at,
                                    written_back_fraction, written_back_finished, written_back_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(source, item_id) DO UPDATE SET fingerprint = excluded.fingerprint,
               pushed_fraction = excluded.pushed_fraction, pushed_finished = excluded.pushed_finished,
               pushed_at = excluded.pushed_at, written_back_fraction = excluded.written_back_fraction,
               written_back_finished = excluded.written_back_finished, written_back_at = excluded.written_back_at,
               updated_at = excluded.updated_at",
            params![
                s.source,
                s.item_id,
                s.fingerprint,
                s.pushed.map(|m| m.fraction),
                s.pushed.is_some_and(|m| m.finished),
                s.pushed.map(|m| m.at),
                s.written_back.map(|m| m.fraction),
                s.written_back.is_some_and(|m| m.finished),
                s.written_back.map(|m| m.at),
                s.updated_at,
            ],
        )?;
        Ok(())
    }

    pub fn item_state_delete(&self, source: &str, item_id: &str) -> Result<()> {
        self.conn().execute("DELETE FROM item_state WHERE source = ?1 AND item_id = ?2", params![source, item_id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn state_round_trips_with_and_without_marks() {
        let s = Store::open_in_memory().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let mut st = ItemState {
            source: "abs".into(),
            item_id: "li_1".into(),
            fingerprint: "f=0.5000".into(),
            pushed: None,
            written_back: None,
            updated_at: t,
        };
        s.item_state_put(&st).unwrap();
        assert_eq!(s.item_state_get("abs", "li_1").unwrap().as_ref(), Some(&st), "an empty state must read back");
        st.pushed = Some(Mark { fraction: 0.5, finished: false, at: t });
        st.written_back = Some(Mark { fraction: 1.0, finished: true, at: t });
        s.item_state_put(&st).unwrap();
        assert_eq!(
            s.item_state_get("abs", "li_1").unwrap(),
            Some(st),
            "what we pushed and wrote back must be remembered exactly, or our own writes get echoed"
        );
        s.item_state_delete("abs", "li_1").unwrap();
        assert_eq!(s.item_state_get("abs", "li_1").unwrap(), None);
    }
}
