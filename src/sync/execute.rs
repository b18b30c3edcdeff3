//! Carry a plan out through the outbox, and finish what a crash left half done.
//!
//! Per item: enqueue its steps (one transaction) → for each step mark it sent, call Hardcover,
//! mark it done with the ids Hardcover returned → store item_state → one history row. Nothing is
//! counted as done unless Hardcover confirmed it. A status change is always followed by a fresh
//! look at the reads, and the read the server made is the one updated.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::budget::Budget;
use super::journal;
use super::outbox::{Group, SETTLING_REASON, Verdict, deferral_reason, entries_for, open_groups, reconcile_group};
use super::plan::{ItemPlan, ReadRef, Record, Step};
use super::port::{HardcoverPort, NewUserBook, PortError, Read, ReadPatch, UserBookPatch, latest};
use super::summary::{ItemResult, Summary};
use crate::sources::model::{ProgressSource, SourceError, WriteBack};
use crate::store::history::HistoryEntry;
use crate::store::item_state::{ItemState, Mark};
use crate::store::{Store, StoreError};

/// Where write-backs go: the configured sources, by name.
#[async_trait]
pub trait SourceWriter: Send + Sync {
    async fn write_back(&self, source: &str, item_id: &str, update: &WriteBack) -> Result<(), SourceError>;
}

#[async_trait]
impl SourceWriter for [Arc<dyn ProgressSource>] {
    async fn write_back(&self, source: &str, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        match self.iter().find(|s| s.name() == source) {
            Some(s) => s.write_back(item_id, update).await,
            None => Err(SourceError::Config {
                source_name: source.into(),
                detail: "this source is no longer configured; nothing was written back".into(),
            }),
        }
    }
}

/// Why a step failed, and whether the rest of the run can go on.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    pub message: String,
    /// Hardcover is offline, rate limiting or rejecting the token: stop and retry the run later.
    pub stop: Option<PortError>,
    /// Not a failure: the source declined a write-back that would do harm (a position its
    /// reader cannot open, a device already further on). The item is skipped with this reason.
    pub declined: bool,
}

/// How an item's steps went: all confirmed by Hardcover (and the source), or stopped at the
/// first one that was not.
#[derive(Debug)]
enum Sent {
    Done(Touched),
    Failed(StepFailure),
}

/// Ids an item's steps touched, for history.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Touched {
    pub user_book_id: Option<i64>,
    pub read_id: Option<i64>,
}

pub struct Executor<'a, P: HardcoverPort + ?Sized, W: SourceWriter + ?Sized> {
    pub port: &'a P,
    pub writer: &'a W,
    pub store: &'a Store,
    pub run_id: i64,
    pub now: DateTime<Utc>,
    /// What this run may still send to Hardcover, and what it has sent (the run's other
    /// requests, matching and the shelf, are counted here too).
    pub budget: Budget,
    /// Set when Hardcover became unusable; later items are not attempted.
    pub stopped: Option<PortError>,
    /// The reads a book was just added with, as the insert's answer showed them: the step right
    /// after the insert dates the server's own read from these instead of fetching them again.
    fresh_reads: Option<(i64, Vec<Read>)>,
    /// When the executor was made: `now` plus the time since is when a change really went out
    /// (a run can last minutes), which the next run's settle window is measured from.
    started: Instant,
    /// Items with a change still settling on Hardcover (see [`Verdict::Wait`]): nothing is sent
    /// for them this run.
    settling: HashSet<(String, String)>,
}

impl<'a, P: HardcoverPort + ?Sized, W: SourceWriter + ?Sized> Executor<'a, P, W> {
    pub fn new(port: &'a P, writer: &'a W, store: &'a Store, run_id: i64, budget: u32, now: DateTime<Utc>) -> Self {
        Self {
            port,
            writer,
            store,
            run_id,
            now,
            budget: Budget::new(budget),
            stopped: None,
            fresh_reads: None,
            started: Instant::now(),
            settling: HashSet::new(),
        }
    }

    /// What may still be spent: this run's budget, or less when Hardcover says the day's quota
    /// is lower than assumed at the start.
    pub fn left(&self) -> u32 {
        self.budget.left(self.port.budget_left())
    }

    /// The time now on the run's clock: `now` at the start, plus what has passed since.
    fn clock(&self) -> DateTime<Utc> {
        let passed = chrono::TimeDelta::from_std(self.started.elapsed()).unwrap_or(chrono::TimeDelta::MAX);
        self.now.checked_add_signed(passed).unwrap_or(self.now)
    }

    fn spend(&mut self) {
        self.budget.spend(1);
    }

    /// Execute `plans`, recording each in `summary`, history and item_state. Requests made are
    /// counted in `self.budget` (the caller puts the run's total in the summary).
    pub async fn execute(&mut self, plans: &[ItemPlan], summary: &mut Summary) -> Result<(), StoreError> {
        self.execute_observed(plans, summary, &|_| {}).await
    }

    /// [`Executor::execute`], telling `done` how many plans are through (each one as it starts,
    /// and all of them at the end).
    pub async fn execute_observed(
        &mut self,
        plans: &[ItemPlan],
        summary: &mut Summary,
        done: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), StoreError> {
        for (i, plan) in plans.iter().enumerate() {
            done(i);
            if plan.steps.is_empty() {
                if let Some(record) = &plan.record {
                    apply_record(self.store, &plan.source, &plan.item_id, record, self.now)?;
                }
                let reason = plan.skip.as_ref().map(ToString::to_string);
                self.settle(summary, plan, ItemResult::Skipped, reason, Touched::default())?;
                continue;
            }
            let held_back = if self.settling.contains(&(plan.source.clone(), plan.item_id.clone())) {
                Some(SETTLING_REASON.to_owned())
            } else if let Some(err) = &self.stopped {
                Some(format!("not sent: {err}; it will be retried on the next sync"))
            } else {
                let cost = plan.cost();
                (cost > self.left()).then(|| deferral_reason(self.left(), cost))
            };
            if let Some(reason) = held_back {
                self.settle(summary, plan, ItemResult::Deferred, Some(reason), Touched::default())?;
                continue;
            }
            let ids = self.store.outbox_enqueue(&entries_for(plan, Some(self.run_id)), self.now)?;
            let steps: Vec<(i64, Step)> = ids.into_iter().zip(plan.steps.iter().cloned()).collect();
            match self.send(&plan.source, &plan.item_id, plan.user_book_id, &steps).await? {
                Sent::Done(touched) => {
                    if let Some(record) = &plan.record {
                        apply_record(self.store, &plan.source, &plan.item_id, record, self.now)?;
                    }
                    let notes = (!plan.notes.is_empty()).then(|| plan.notes.join("; "));
                    self.settle(summary, plan, ItemResult::Ok, notes, touched)?;
                }
                Sent::Failed(failure) if failure.declined => {
                    self.settle(summary, plan, ItemResult::Skipped, Some(failure.message), Touched::default())?;
                }
                Sent::Failed(failure) => {
                    self.settle(summary, plan, ItemResult::Failed, Some(failure.message), Touched::default())?;
                    if failure.stop.is_some() {
                        self.stopped = failure.stop;
                    }
                }
            }
        }
        done(plans.len());
        Ok(())
    }

    /// After a crash: settle every open outbox entry from Hardcover's current state. Returns how
    /// many items were completed by re-sending their remaining steps. A change sent less than
    /// `settle` ago that Hardcover does not show yet is left open, and its item is not planned
    /// again this run.
    pub async fn recover(&mut self, settle: Duration) -> Result<RecoverReport, StoreError> {
        let groups: Vec<Group> = open_groups(self.store)?;
        let mut report = RecoverReport::default();
        if groups.is_empty() {
            return Ok(report);
        }
        let mut book_ids: Vec<i64> = groups.iter().filter_map(Group::book_id).collect();
        book_ids.sort_unstable();
        book_ids.dedup();
        let current = if book_ids.is_empty() {
            HashMap::new()
        } else {
            self.spend();
            match self.port.user_books(&book_ids).await {
                Ok(ubs) => ubs.into_iter().map(|u| (u.book_id, u)).collect::<HashMap<_, _>>(),
                Err(e) => {
                    // Without Hardcover's state nothing can be decided: leave everything as it is.
                    report.error = Some(e.to_string());
                    self.stopped = e.stops_the_run().then_some(e);
                    return Ok(report);
                }
            }
        };
        // The journal entries of the books with an unanswered journal write: one request.
        let mut journal_books: Vec<i64> = groups
            .iter()
            .filter(|g| g.steps.iter().any(|p| matches!(p.envelope.step, Step::Quote { .. } | Step::Unquote { .. })))
            .filter_map(Group::book_id)
            .collect();
        journal_books.sort_unstable();
        journal_books.dedup();
        let remote = if journal_books.is_empty() {
            Vec::new()
        } else {
            self.spend();
            match self.port.journal_entries(&journal_books).await {
                Ok(entries) => entries,
                Err(e) => {
                    report.error = Some(e.to_string());
                    self.stopped = e.stops_the_run().then_some(e);
                    return Ok(report);
                }
            }
        };
        for group in &groups {
            let ub = group.book_id().and_then(|b| current.get(&b));
            let mut resend: Vec<(i64, Step)> = Vec::new();
            for (id, verdict) in reconcile_group(group, ub, &remote, self.now, settle) {
                match verdict {
                    Verdict::Wait => {
                        self.settling.insert((group.source.clone(), group.item_id.clone()));
                    }
                    Verdict::Done => {
                        let step =
                            &group.steps.iter().find(|p| p.entry.id == id).expect("a row of the group").envelope.step;
                        if step.is_extra() {
                            let journal_id = journal::on_hardcover(step, &remote);
                            self.record_extra(&group.source, &group.item_id, step, journal_id)?;
                        }
                        self.store.outbox_mark_done(id, None, self.now)?;
                        report.done += 1;
                    }
                    Verdict::Obsolete(why) => {
                        self.store.outbox_mark_obsolete(id, &why, self.now)?;
                        report.obsolete += 1;
                    }
                    Verdict::Resend => {
                        let step =
                            group.steps.iter().find(|p| p.entry.id == id).expect("verdict for a row of the group");
                        resend.push((id, step.envelope.step.clone()));
                    }
                }
            }
            if self.settling.contains(&(group.source.clone(), group.item_id.clone())) {
                report.settling += 1;
                continue;
            }
            if resend.is_empty() {
                continue;
            }
            let cost: u32 = resend.iter().map(|(_, s)| s.cost()).sum();
            if self.stopped.is_some() || cost > self.left() {
                let why = match &self.stopped {
                    Some(e) => format!("not sent: {e}"),
                    None => deferral_reason(self.left(), cost),
                };
                for (id, _) in &resend {
                    self.store.outbox_mark_deferred(*id, &why, self.now)?;
                }
                report.deferred += 1;
                continue;
            }
            let user_book_id = ub.map(|u| u.id).or_else(|| group.steps.iter().find_map(|p| p.envelope.user_book_id));
            match self.send(&group.source, &group.item_id, user_book_id, &resend).await? {
                Sent::Done(_) => {
                    report.completed += 1;
                    let record = group.steps.iter().find_map(|p| p.envelope.record.clone());
                    if let Some(record) = record {
                        apply_record(self.store, &group.source, &group.item_id, &record, self.now)?;
                    }
                }
                Sent::Failed(f) if f.declined => report.obsolete += 1,
                Sent::Failed(f) => {
                    report.error = Some(f.message);
                    if f.stop.is_some() {
                        self.stopped = f.stop;
                    }
                }
            }
        }
        Ok(report)
    }

    /// Send steps in order, stopping at the first that fails. `Err` is the database only: what
    /// Hardcover or the source answered is in [`Sent`].
    async fn send(
        &mut self,
        source: &str,
        item_id: &str,
        mut user_book_id: Option<i64>,
        steps: &[(i64, Step)],
    ) -> Result<Sent, StoreError> {
        let mut touched = Touched { user_book_id, read_id: None };
        for (i, (entry_id, step)) in steps.iter().enumerate() {
            self.store.outbox_mark_sent(*entry_id, self.clock())?;
            let outcome = self.send_one(source, item_id, &mut user_book_id, step).await;
            match outcome {
                Ok(id) if step.is_extra() => {
                    self.record_extra(source, item_id, step, id)?;
                    let result = serde_json::json!({ "journal_id": id }).to_string();
                    self.store.outbox_mark_done(*entry_id, Some(&result), self.now)?;
                }
                Ok(read_id) => {
                    touched.user_book_id = user_book_id;
                    touched.read_id = read_id.or(touched.read_id);
                    let result = serde_json::json!({ "user_book_id": user_book_id, "read_id": read_id }).to_string();
                    self.store.outbox_mark_done(*entry_id, Some(&result), self.now)?;
                }
                Err(failure) => {
                    if failure.declined {
                        self.store.outbox_mark_obsolete(*entry_id, &failure.message, self.now)?;
                    } else if failure.stop.is_none() {
                        self.store.outbox_mark_failed(*entry_id, &failure.message, self.now)?;
                        for (later, _) in &steps[i + 1..] {
                            self.store.outbox_mark_failed(*later, "not sent: an earlier step failed", self.now)?;
                        }
                    }
                    // On a stop the rest stay "pending". An entry Hardcover turned away (token,
                    // scope, rate limit) is held back, not "sent": it certainly did not arrive, so
                    // the next run must not wait out the settle window for it. One that met a lost
                    // connection stays "sent", and the next run's reconciliation decides from
                    // Hardcover's state what took effect.
                    if let Some(stop) = failure.stop.as_ref().filter(|e| e.refused_before_taking_effect()) {
                        self.store.outbox_mark_deferred(*entry_id, &stop.to_string(), self.now)?;
                    }
                    return Ok(Sent::Failed(failure));
                }
            }
        }
        Ok(Sent::Done(touched))
    }

    /// One step. Returns the read it touched, if any.
    async fn send_one(
        &mut self,
        source: &str,
        item_id: &str,
        user_book_id: &mut Option<i64>,
        step: &Step,
    ) -> Result<Option<i64>, StepFailure> {
        let port_err = |e: PortError| StepFailure {
            message: e.to_string(),
            stop: e.stops_the_run().then_some(e),
            declined: false,
        };
        let need_ub = |ub: &Option<i64>| {
            ub.ok_or_else(|| StepFailure {
                message: "internal: a step needs the Hardcover shelf entry, but none is known".into(),
                stop: None,
                declined: false,
            })
        };
        // Only the step right after an insert may use its answer: any other change may have
        // moved the reads on since.
        let fresh = self.fresh_reads.take();
        match step {
            Step::AddBook { book_id, edition_id, status, rating } => {
                self.spend();
                let new = NewUserBook { book_id: *book_id, edition_id: *edition_id, status: *status, rating: *rating };
                let (id, reads) = self.port.insert_user_book_with_reads(&new).await.map_err(port_err)?;
                *user_book_id = Some(id);
                // No read in the answer is not proof there is none (the server may open it a
                // moment later): then the next step asks, as it always did.
                self.fresh_reads = reads.filter(|r| !r.is_empty()).map(|r| (id, r));
                Ok(None)
            }
            Step::SetStatus { status } => {
                let ub = need_ub(user_book_id)?;
                self.spend();
                let patch = UserBookPatch { status: Some(*status), rating: None };
                self.port.update_user_book(ub, &patch).await.map_err(port_err)?;
                Ok(None)
            }
            Step::Rate { rating } => {
                let ub = need_ub(user_book_id)?;
                self.spend();
                let patch = UserBookPatch { status: None, rating: Some(*rating) };
                self.port.update_user_book(ub, &patch).await.map_err(port_err)?;
                Ok(None)
            }
            Step::UpdateRead { read: ReadRef::Id(id), patch } => {
                self.spend();
                self.port.update_read(*id, patch).await.map_err(port_err)?;
                Ok(Some(*id))
            }
            Step::UpdateRead { read: ReadRef::Latest, patch } => {
                let ub = need_ub(user_book_id)?;
                let reads = self.reads_of(ub, fresh).await.map_err(port_err)?;
                self.spend();
                match latest(&reads) {
                    // The read the server opened or finished by itself: date it, never add another.
                    Some(r) => {
                        self.port.update_read(r.id, &merged(r, patch)).await.map_err(port_err)?;
                        Ok(Some(r.id))
                    }
                    // The server made none: the only read is ours.
                    None => Ok(Some(self.port.insert_read(ub, patch).await.map_err(port_err)?)),
                }
            }
            Step::StartRead { after_read, patch } => {
                let ub = need_ub(user_book_id)?;
                let reads = self.reads_of(ub, fresh).await.map_err(port_err)?;
                self.spend();
                match latest(&reads).filter(|r| !r.is_finished() && Some(r.id) != *after_read) {
                    Some(opened) => {
                        self.port.update_read(opened.id, &merged(opened, patch)).await.map_err(port_err)?;
                        Ok(Some(opened.id))
                    }
                    None => Ok(Some(self.port.insert_read(ub, patch).await.map_err(port_err)?)),
                }
            }
            Step::WriteBack { update } => {
                self.writer.write_back(source, item_id, &WriteBack::from(update)).await.map_err(|e| StepFailure {
                    declined: matches!(e, SourceError::Declined { .. }),
                    message: e.to_string(),
                    stop: None,
                })?;
                Ok(None)
            }
            Step::Quote { quote, journal_id: None } => {
                self.spend();
                Ok(Some(self.port.insert_journal(&quote.journal).await.map_err(port_err)?))
            }
            Step::Quote { quote, journal_id: Some(id) } => {
                self.spend();
                self.port.update_journal(*id, &quote.journal).await.map_err(port_err)?;
                Ok(Some(*id))
            }
            Step::Unquote { journal_id, .. } => {
                self.spend();
                self.port.delete_journal(*journal_id).await.map_err(port_err)?;
                Ok(Some(*journal_id))
            }
            Step::Own { edition_id } => {
                self.spend();
                self.port.mark_owned(*edition_id).await.map_err(port_err)?;
                Ok(None)
            }
        }
    }

    /// Remember what a journal or Owned step did, once Hardcover confirmed it (`id`: the entry).
    /// Written before the outbox row is marked done: a crash between the two leaves the row
    /// "sent", and recovery finds the entry on Hardcover and records the same thing again.
    fn record_extra(&self, source: &str, item_id: &str, step: &Step, id: Option<i64>) -> Result<(), StoreError> {
        match (step, id) {
            (Step::Quote { quote, .. }, Some(id)) => {
                self.store.journal_put(&journal::row_of(source, item_id, id, quote), self.now)
            }
            (Step::Unquote { key, .. }, _) => self.store.journal_forget(source, item_id, key),
            (Step::Own { edition_id }, _) => self.store.item_set_owned(source, item_id, *edition_id, self.now),
            _ => Ok(()),
        }
    }

    async fn fetch_reads(&mut self, user_book_id: i64) -> Result<Vec<Read>, PortError> {
        self.spend();
        self.port.reads(user_book_id).await
    }

    /// The book's reads: those the insert just answered with, else fetched (one request).
    async fn reads_of(&mut self, user_book_id: i64, fresh: Option<(i64, Vec<Read>)>) -> Result<Vec<Read>, PortError> {
        match fresh {
            Some((id, reads)) if id == user_book_id => Ok(reads),
            _ => self.fetch_reads(user_book_id).await,
        }
    }

    /// How an item ended, into its history row and the run's summary together (one reason for
    /// both, so the two never tell different stories).
    fn settle(
        &self,
        summary: &mut Summary,
        plan: &ItemPlan,
        result: ItemResult,
        reason: Option<String>,
        t: Touched,
    ) -> Result<(), StoreError> {
        self.store.history_add(&HistoryEntry {
            run_id: self.run_id,
            source: plan.source.clone(),
            item_id: plan.item_id.clone(),
            title: Some(plan.title.clone()),
            action: plan.action.as_str().into(),
            result: result.as_str().into(),
            reason: reason.clone(),
            book_id: plan.book_id,
            user_book_id: t.user_book_id.or(plan.user_book_id),
            read_id: t.read_id,
            at: self.now,
        })?;
        summary.record(plan, result, reason);
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecoverReport {
    /// Entries Hardcover already showed.
    pub done: u32,
    /// Entries dropped (the next plan starts from the current state).
    pub obsolete: u32,
    /// Half-done items finished by re-sending their remaining steps.
    pub completed: u32,
    /// Items whose remaining steps had to wait (budget, Hardcover unavailable).
    pub deferred: u32,
    /// Items with a change sent moments ago that Hardcover does not show yet: left for a later sync.
    pub settling: u32,
    pub error: Option<String>,
}

/// The read's complete new state: the patch's values, the read's own for everything the patch
/// leaves `None`, so a start date or edition is never wiped.
pub fn merged(read: &Read, p: &ReadPatch) -> ReadPatch {
    ReadPatch {
        edition_id: p.edition_id.or(read.edition_id),
        started_at: p.started_at.or(read.started_at),
        finished_at: p.finished_at.or(read.finished_at),
        progress_pages: p.progress_pages.or(read.progress_pages),
        progress_seconds: p.progress_seconds.or(read.progress_seconds),
    }
}

/// Store what an item's sync left behind. A mark keeps its time when its value did not change.
pub fn apply_record(
    store: &Store,
    source: &str,
    item_id: &str,
    r: &Record,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let old = store.item_state_get(source, item_id)?;
    let mark = |new: Option<(f64, bool)>, old: Option<Mark>| {
        new.map(|(fraction, finished)| match old {
            Some(m) if m.finished == finished && (m.fraction - fraction).abs() < 1e-9 => m,
            _ => Mark { fraction, finished, at: now },
        })
    };
    store.item_state_put(&ItemState {
        source: source.into(),
        item_id: item_id.into(),
        fingerprint: r.fingerprint.clone(),
        pushed: mark(r.hardcover, old.as_ref().and_then(|o| o.pushed)).or(old.as_ref().and_then(|o| o.pushed)),
        written_back: mark(r.written_back, old.as_ref().and_then(|o| o.written_back)),
        updated_at: now,
    })
}

/// A dry run's summary: every plan counted as what it would do; nothing sent, nothing stored.
pub fn record_dry_run(plans: &[ItemPlan], summary: &mut Summary) {
    for p in plans {
        let result = if p.steps.is_empty() { ItemResult::Skipped } else { ItemResult::Planned };
        summary.record(p, result, None);
    }
}

#[cfg(test)]
#[path = "execute_tests.rs"]
mod tests;
