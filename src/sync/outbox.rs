//! Plans → outbox entries, and what to do with entries a crash left behind.
//!
//! Every step is written to the outbox before it is sent and marked when Hardcover answers. After
//! a crash an entry may be "sent" with no answer. It is NEVER blindly re-sent (a re-sent insert
//! duplicates a read; a re-sent status change re-dates a read to today): [`reconcile_group`] looks at
//! Hardcover's CURRENT state and decides per entry whether it took effect, must be re-sent to finish
//! a half-done item, or is obsolete because the next plan will start from the current state.
//!
//! A change sent moments ago is not judged yet: Hardcover may still be processing it, so "not on
//! Hardcover" would wrongly read as "did not arrive" and the item would be sent twice. Its item
//! waits for a later sync ([`SETTLE_WINDOW`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::journal;
use super::plan::{ItemPlan, ReadRef, Record, Step};
use super::port::{Read, RemoteEntry, UserBook};
use crate::store::outbox::{NewOutboxEntry, OutboxEntry, OutboxState};
use crate::store::{Store, StoreError};

/// What an outbox row's payload holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub title: String,
    pub book_id: Option<i64>,
    pub user_book_id: Option<i64>,
    pub step: Step,
    /// Position in the item's steps, from 0, and their count.
    pub index: usize,
    pub count: usize,
    /// On the last step: the item_state to store once every step succeeded.
    pub record: Option<Record>,
}

/// The outbox rows for one item's plan, in execution order.
pub fn entries_for(plan: &ItemPlan, run_id: Option<i64>) -> Vec<NewOutboxEntry> {
    let count = plan.steps.len();
    plan.steps
        .iter()
        .enumerate()
        .map(|(index, step)| NewOutboxEntry {
            run_id,
            source: plan.source.clone(),
            item_id: plan.item_id.clone(),
            kind: step.kind().into(),
            payload: serde_json::to_string(&Envelope {
                title: plan.title.clone(),
                book_id: plan.book_id,
                user_book_id: plan.user_book_id,
                step: step.clone(),
                index,
                count,
                record: if index + 1 == count { plan.record.clone() } else { None },
            })
            .expect("envelopes hold only plain data"),
        })
        .collect()
}

/// One outbox row with its payload decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub entry: OutboxEntry,
    pub envelope: Envelope,
}

/// The rows of one item from one run, in order (finished ones included, for context).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub run_id: Option<i64>,
    pub source: String,
    pub item_id: String,
    pub steps: Vec<Pending>,
}

impl Group {
    pub fn book_id(&self) -> Option<i64> {
        self.steps.iter().find_map(|p| p.envelope.book_id)
    }
}

/// Every item with entries still open, each with all of its rows from that run.
pub fn open_groups(store: &Store) -> Result<Vec<Group>, StoreError> {
    let mut keys: Vec<(Option<i64>, String, String)> = Vec::new();
    for e in store.outbox_open()? {
        let key = (e.run_id, e.source.clone(), e.item_id.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut groups = Vec::with_capacity(keys.len());
    for (run_id, source, item_id) in keys {
        let mut steps = Vec::new();
        for entry in store.outbox_for_item(&source, &item_id)?.into_iter().filter(|e| e.run_id == run_id) {
            let envelope: Envelope = serde_json::from_str(&entry.payload)
                .map_err(|e| StoreError::Corrupt(format!("outbox entry {}: {e}", entry.id)))?;
            steps.push(Pending { entry, envelope });
        }
        groups.push(Group { run_id, source, item_id, steps });
    }
    Ok(groups)
}

/// How long a change sent without an answer is given before its absence on Hardcover means it
/// did not arrive (the default of `sync.outbox_settle`).
pub const SETTLE_WINDOW: Duration = Duration::from_secs(40);

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Hardcover already shows it: mark done, send nothing.
    Done,
    /// Part of an item that is half done: send it to finish the item (e.g. date the read the
    /// server made when the status change went through).
    Resend,
    /// Nothing of the item took effect, or it cannot apply any more: drop it; the next plan
    /// starts from Hardcover's current state.
    Obsolete(String),
    /// Sent less than the settle window ago and not visible yet: leave it open, send nothing for
    /// the item this run, decide on a later sync.
    Wait,
}

/// Decide, for each open row of `group` (in order), from `current` (the user's shelf entry for the
/// group's book as Hardcover has it NOW; `None` when not on the shelf) and `journal` (the user's
/// `quote` entries for the book, for the journal steps). A row sent less than
/// `settle` before `now` that Hardcover does not show yet makes every open row of the item
/// [`Verdict::Wait`]: the steps after it depend on what it did.
pub fn reconcile_group(
    group: &Group,
    current: Option<&UserBook>,
    journal: &[RemoteEntry],
    now: DateTime<Utc>,
    settle: Duration,
) -> Vec<(i64, Verdict)> {
    let open = |p: &&Pending| matches!(p.entry.state, OutboxState::Pending | OutboxState::Sent | OutboxState::Deferred);
    let settling = group.steps.iter().filter(open).any(|p| {
        p.entry.state == OutboxState::Sent
            && is_recent(p.entry.updated_at, now, settle)
            && !took_effect(&p.envelope.step, current, journal)
    });
    if settling {
        return group.steps.iter().filter(open).map(|p| (p.entry.id, Verdict::Wait)).collect();
    }
    let mut verdicts = Vec::new();
    // Whether an earlier step of this item took effect: then the item is half done and the rest
    // must follow, or the finish date stays "today".
    let mut started = group.steps.iter().any(|p| p.entry.state == OutboxState::Done);
    for p in &group.steps {
        if !matches!(p.entry.state, OutboxState::Pending | OutboxState::Sent | OutboxState::Deferred) {
            continue;
        }
        let id = p.entry.id;
        let step = &p.envelope.step;
        let applied = took_effect(step, current, journal);
        let verdict = if applied {
            // A journal entry stands on its own: it does not make the reading steps half done.
            started |= !step.is_extra();
            Verdict::Done
        } else if step.is_extra() && !started {
            // Not on Hardcover: the next plan finds no entry id stored for the highlight (or the
            // edition not marked owned) and sends it again.
            Verdict::Obsolete("did not reach Hardcover; the next sync plans it again".into())
        } else if step.is_extra() {
            Verdict::Resend
        } else if matches!(p.envelope.step, Step::WriteBack { .. }) {
            Verdict::Obsolete("a write-back is planned afresh from the source's current state".into())
        } else if current.is_none() && !matches!(p.envelope.step, Step::AddBook { .. }) {
            Verdict::Obsolete("the book is no longer on the Hardcover shelf".into())
        } else if started {
            Verdict::Resend
        } else {
            Verdict::Obsolete("did not reach Hardcover; the next sync plans it from the current state".into())
        };
        verdicts.push((id, verdict));
    }
    verdicts
}

/// Whether `sent_at` lies less than `settle` before `now`. A zero window never waits (not even
/// for a stamp a few milliseconds past `now`, which the executor's own clock can give).
fn is_recent(sent_at: DateTime<Utc>, now: DateTime<Utc>, settle: Duration) -> bool {
    let Ok(settle) = chrono::TimeDelta::from_std(settle) else { return true };
    !settle.is_zero() && now.signed_duration_since(sent_at) < settle
}

fn took_effect(step: &Step, current: Option<&UserBook>, journal: &[RemoteEntry]) -> bool {
    match step {
        Step::Quote { .. } | Step::Unquote { .. } => return journal::on_hardcover(step, journal).is_some(),
        // Asking again is harmless (the edition stays on the Owned list once): resent, not judged.
        Step::Own { .. } => return false,
        _ => {}
    }
    let Some(ub) = current else { return false };
    let latest: Option<&Read> = ub.latest_read.as_ref();
    match step {
        Step::AddBook { .. } => true,
        Step::SetStatus { status } => ub.status == *status,
        Step::UpdateRead { read: ReadRef::Id(id), patch } => {
            latest.is_some_and(|r| r.id == *id && patch.is_applied_to(r))
        }
        Step::UpdateRead { read: ReadRef::Latest, patch } => latest.is_some_and(|r| patch.is_applied_to(r)),
        Step::StartRead { after_read, patch } => {
            latest.is_some_and(|r| Some(r.id) != *after_read && !r.is_finished() && patch.is_applied_to(r))
        }
        Step::Rate { rating } => ub.rating.is_some_and(|r| (r - rating).abs() < 0.01),
        Step::WriteBack { .. } | Step::Quote { .. } | Step::Unquote { .. } | Step::Own { .. } => false,
    }
}

/// What the user reads when an item waits for a change sent moments ago to show on Hardcover.
pub const SETTLING_REASON: &str = "waiting: a change sent moments ago is not on Hardcover yet (it may still be processing it); it will be checked on the next sync";

/// What the user reads when an item waits for the daily budget.
pub fn deferral_reason(left: u32, cost: u32) -> String {
    format!(
        "deferred: the daily Hardcover request budget is nearly used up ({left} left, this item needs {cost}); it will be sent on a later sync"
    )
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
