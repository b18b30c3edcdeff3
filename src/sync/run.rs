//! One whole sync: settle the outbox, list the sources, match, fetch Hardcover's state in bulk,
//! plan, execute (or, dry run, just report), and record the run. Generic over the Hardcover port,
//! so the CLI, the tray and the tests drive the same code.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::budget::Budget;
use super::execute::{Executor, record_dry_run};
use super::journal::{self, JournalPolicy};
use super::matching::{MatchOutcome, match_items_observed};
use super::observe::{Observer, SyncPhase, SyncProgress};
use super::plan::{Action, ItemPlan, PlanContext, PlanInput, SkipReason, Step, fingerprint, plan};
use super::port::{Edition, HardcoverPort, PortError, UserBook};
use super::progress::{Zone, edition_on_shelf};
use super::summary::Summary;
use crate::config::{Direction, SyncConfig};
use crate::sources::model::{Highlight, ProgressSource, SourceItem};
use crate::store::item_state::ItemState;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Copy)]
pub struct SyncOptions<'a> {
    pub config: &'a SyncConfig,
    pub zone: Zone,
    pub now: DateTime<Utc>,
    /// Hardcover requests this run may spend (what is left of the daily quota, minus a reserve
    /// for the user's other tools).
    pub budget: u32,
    pub dry_run: bool,
    /// Minimum search score to accept a free-text match (`matching::DEFAULT_THRESHOLD`).
    pub match_threshold: f64,
    /// What each source sends besides reading progress; a source not listed sends nothing more.
    pub policies: &'a [SourcePolicy],
    /// Configured sources this run cannot read, said in its record from the start (so the run
    /// is finished once, with everything in it).
    pub unavailable: &'a [Unavailable],
}

/// A configured source left out of a run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// It could not be set up (a missing secret, a bad address): an error of the run.
    Failed { source: String, message: String },
    /// Held back on purpose (a device not plugged in, or not confirmed yet): a note, not an error.
    Held { source: String, why: String },
}

impl Unavailable {
    pub fn source(&self) -> &str {
        match self {
            Unavailable::Failed { source, .. } | Unavailable::Held { source, .. } => source,
        }
    }
}

/// What the user chose for one source beyond reading progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePolicy {
    pub name: String,
    /// Highlights and notes to the reading journal.
    pub journal: bool,
    /// Books on the source are marked owned (the matched edition, once).
    pub mark_owned: bool,
}

impl SourcePolicy {
    pub fn of(sources: &[crate::config::SourceConfig]) -> Vec<Self> {
        sources
            .iter()
            .map(|s| SourcePolicy { name: s.name.clone(), journal: s.sends_highlights(), mark_owned: s.mark_owned })
            .collect()
    }
}

#[derive(Debug)]
pub struct SyncOutcome {
    pub run_id: i64,
    pub summary: Summary,
    /// Set when Hardcover became unusable mid-run (offline, rate limited, token rejected): the
    /// scheduler backs off, the UI asks to reconnect on `Unauthorized`.
    pub stopped: Option<PortError>,
}

pub fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::ToHardcover => "to_hardcover",
        Direction::FromHardcover => "from_hardcover",
        Direction::Bidirectional => "bidirectional",
    }
}

pub async fn sync_once<P: HardcoverPort + ?Sized>(
    port: &P,
    sources: &[Arc<dyn ProgressSource>],
    store: &Store,
    opts: SyncOptions<'_>,
) -> Result<SyncOutcome, StoreError> {
    sync_once_observed(port, sources, store, opts, &super::observe::ignore).await
}

/// [`sync_once`], telling `observe` how far it has got (see [`SyncProgress`]).
pub async fn sync_once_observed<P: HardcoverPort + ?Sized>(
    port: &P,
    sources: &[Arc<dyn ProgressSource>],
    store: &Store,
    opts: SyncOptions<'_>,
    observe: Observer<'_>,
) -> Result<SyncOutcome, StoreError> {
    let run_id = store.run_start(opts.now, direction_name(opts.config.direction), opts.dry_run)?;
    let fields_at_start = port.fields_sent();
    let mut summary = Summary::new(opts.dry_run);
    for u in opts.unavailable {
        match u {
            Unavailable::Failed { source, message } => summary.record_error(source, message.clone()),
            Unavailable::Held { source, why } => summary.record_note(source, why.clone()),
        }
    }
    let mut exec = Executor::new(port, sources, store, run_id, opts.budget, opts.now);

    if !opts.dry_run {
        let rec = exec.recover(opts.config.outbox_settle).await?;
        if let Some(e) = rec.error {
            summary.record_error("hardcover", format!("finishing the previous sync: {e}"));
        }
    }
    let Listed { items, highlights } = list_sources(sources, &opts, &mut summary, observe).await;
    let items = leave_out_excluded(store, items, &mut summary)?;

    let look = if exec.stopped.is_some() {
        None
    } else {
        plan_and_execute(&mut exec, &items, &highlights, &opts, &mut summary, observe).await?
    };
    if let Some(full) = look
        && !opts.dry_run
        && exec.stopped.is_none()
    {
        // Hardcover's own clock at the end of the run (see `remember_look`); without it, ours
        // (the one clock read in the engine), set back by a margin for the skew.
        let end = match port.server_time() {
            // `Date` is whole seconds: our last writes may fall in the second after it.
            Some(t) => t + chrono::TimeDelta::seconds(1),
            None => Utc::now().max(opts.now) - CLOCK_MARGIN,
        };
        remember_look(store, &opts, full, end)?;
    }
    // What Hardcover bills (top-level fields) when the port counts them; otherwise the run's
    // own count of calls (recovery, matching, the shelf, the changes).
    summary.hardcover_requests = match (fields_at_start, port.fields_sent()) {
        (Some(a), Some(b)) => u32::try_from(b.saturating_sub(a)).unwrap_or(u32::MAX),
        _ => exec.budget.spent(),
    };
    store.run_finish(run_id, opts.now, &summary.to_json())?;
    Ok(SyncOutcome { run_id, summary, stopped: exec.stopped.take() })
}

/// What the sources hold this run.
struct Listed {
    items: Vec<SourceItem>,
    /// Highlights of the sources that send them, read from the same snapshot as the list; a
    /// source missing here sends no journal change this run (and deletes nothing).
    highlights: HashMap<String, Vec<Highlight>>,
}

/// Every source's items (and highlights, where sent). A source that fails is an error of this
/// run; the others go on.
async fn list_sources(
    sources: &[Arc<dyn ProgressSource>],
    opts: &SyncOptions<'_>,
    summary: &mut Summary,
    observe: Observer<'_>,
) -> Listed {
    let mut listed = Listed { items: Vec::new(), highlights: HashMap::new() };
    observe(SyncProgress::new(SyncPhase::Listing, 0, sources.len()));
    for (i, source) in sources.iter().enumerate() {
        match source.list().await {
            Ok(mut items) => {
                listed.items.append(&mut items);
                if policy_of(opts, source.name()).is_some_and(|p| p.journal) {
                    match source.highlights().await {
                        Ok(h) => {
                            listed.highlights.insert(source.name().to_owned(), h);
                        }
                        Err(e) => summary.record_error(source.name(), format!("highlights: {e}")),
                    }
                }
            }
            Err(e) => summary.record_error(source.name(), e.to_string()),
        }
        observe(SyncProgress::new(SyncPhase::Listing, i + 1, sources.len()));
    }
    listed
}

/// Items the user excluded are never matched, planned or sent; the run lists them as skipped.
fn leave_out_excluded(
    store: &Store,
    items: Vec<SourceItem>,
    summary: &mut Summary,
) -> Result<Vec<SourceItem>, StoreError> {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        if store.item_prefs(&item.source, &item.id)?.exclude {
            summary.record(&ItemPlan::excluded(&item), super::summary::ItemResult::Skipped, None);
        } else {
            kept.push(item);
        }
    }
    Ok(kept)
}

/// Match, read Hardcover's state, plan, and carry the plan out (or, dry run, report it).
/// `Some(full)` when Hardcover was looked at (`full`: the whole shelf of the synced books);
/// `None` when Hardcover stopped the run before a plan could be made.
async fn plan_and_execute<P: HardcoverPort + ?Sized>(
    exec: &mut Executor<'_, P, [Arc<dyn ProgressSource>]>,
    items: &[SourceItem],
    highlights: &HashMap<String, Vec<Highlight>>,
    opts: &SyncOptions<'_>,
    summary: &mut Summary,
    observe: Observer<'_>,
) -> Result<Option<bool>, StoreError> {
    let (port, store) = (exec.port, exec.store);
    // Searches get at most half of what is left: pushing known books matters more than
    // matching new ones, and the rest are matched on later syncs.
    let max_searches = exec.left().saturating_sub(4) / 2;
    let total = items.len();
    let matching = |n| observe(SyncProgress::new(SyncPhase::Matching, n, total));
    let matched =
        match match_items_observed(port, store, items, opts.match_threshold, max_searches, opts.now, &matching).await {
            Ok(r) => r,
            Err(super::matching::MatchError::Store(e)) => return Err(e),
            Err(super::matching::MatchError::Port(e)) => {
                summary.record_error("hardcover", format!("matching: {e}"));
                exec.stopped = e.stops_the_run().then_some(e);
                return Ok(None);
            }
        };
    exec.budget.spend(matched.requests);
    let states: Vec<Option<ItemState>> =
        items.iter().map(|i| store.item_state_get(&i.source, &i.id)).collect::<Result<_, _>>()?;

    let fetched = fetch_hardcover_state(port, &mut exec.budget, store, items, &matched.outcomes, &states, opts).await?;
    let HardcoverState { shelf, editions, looked_at, full } = match fetched {
        Fetched::Ok(state) => state,
        Fetched::Stopped(e) => {
            summary.record_error("hardcover", format!("reading your shelf: {e}"));
            exec.stopped = e.stops_the_run().then_some(e);
            return Ok(None);
        }
    };
    let no_editions: Vec<Edition> = Vec::new();
    let inputs: Vec<PlanInput<'_>> = items
        .iter()
        .zip(&matched.outcomes)
        .zip(&states)
        .map(|((item, m), state)| {
            let book = m.book_id();
            PlanInput {
                item,
                matched: m,
                state: state.as_ref(),
                looked_at: book.is_some_and(|b| looked_at.contains(&b)),
                user_book: book.and_then(|b| shelf.get(&b)),
                editions: book.and_then(|b| editions.get(&b)).unwrap_or(&no_editions),
            }
        })
        .collect();
    let ctx = PlanContext { config: opts.config, zone: opts.zone, now: opts.now };
    let mut plans = plan(&inputs, &ctx);
    let removed = add_extras(&mut plans, &inputs, highlights, store, opts)?;
    let updating = |n| observe(SyncProgress::new(SyncPhase::Updating, n, plans.len()));
    if opts.dry_run {
        record_dry_run(&plans, summary);
        updating(plans.len());
    } else {
        for (source, item_id, keys) in &removed {
            store.journal_mark_removed(source, item_id, keys, opts.now)?;
        }
        exec.execute_observed(&plans, summary, &updating).await?;
    }
    Ok(Some(full))
}

fn policy_of<'a>(opts: &SyncOptions<'a>, source: &str) -> Option<&'a SourcePolicy> {
    opts.policies.iter().find(|p| p.name == source)
}

/// Highlights gone from a device whose entries stay on Hardcover: (source, item, keys).
type Removed = Vec<(String, String, Vec<String>)>;

/// Add to each matched item's plan its journal writes and, when asked, marking its edition
/// owned. They stand beside the reading steps (an item unchanged on the source may still have a
/// new highlight) and go through the same outbox.
fn add_extras(
    plans: &mut [ItemPlan],
    inputs: &[PlanInput<'_>],
    highlights: &HashMap<String, Vec<Highlight>>,
    store: &Store,
    opts: &SyncOptions<'_>,
) -> Result<Removed, StoreError> {
    let policy =
        JournalPolicy { privacy: opts.config.journal_privacy, delete_removed: opts.config.delete_removed_highlights };
    let mut removed = Vec::new();
    for (plan, input) in plans.iter_mut().zip(inputs) {
        let MatchOutcome::Matched { book_id, edition_id, .. } = input.matched else { continue };
        let Some(source) = policy_of(opts, &input.item.source) else { continue };
        let prefs = store.item_prefs(&input.item.source, &input.item.id)?;
        let mut steps = Vec::new();
        let mut notes = Vec::new();
        let mut effects = plan.effects;
        // The user's edition on the shelf, else the one matched.
        let edition = input.user_book.and_then(|u| u.edition.as_ref().map(|e| e.id)).or(*edition_id);
        if let Some(all) = highlights.get(&input.item.source).filter(|_| !prefs.no_highlights) {
            let mine: Vec<&Highlight> = all.iter().filter(|h| h.item_id == input.item.id).collect();
            let sent = store.journal_of_item(&input.item.source, &input.item.id)?;
            let jp = journal::plan_item(&mine, &sent, *book_id, edition, policy, opts.zone);
            if !jp.removed.is_empty() {
                removed.push((input.item.source.clone(), input.item.id.clone(), jp.removed.clone()));
            }
            notes.extend(jp.describe());
            effects.highlights += jp.added + jp.updated;
            steps.extend(jp.steps);
        }
        if source.mark_owned && prefs.owned_edition.is_none() {
            match edition {
                Some(edition_id) => {
                    steps.push(Step::Own { edition_id });
                    notes.push("to mark owned".into());
                    effects.owned = true;
                }
                None => notes.push("not marked owned: no edition of this book was matched".into()),
            }
        }
        if steps.is_empty() {
            continue;
        }
        if plan.steps.is_empty() {
            // Only journal or Owned writes: the reading side's skip reason becomes a note.
            if let Some(skip) = plan.skip.take().filter(|s| *s != SkipReason::Unchanged) {
                plan.notes.push(skip.to_string());
            }
            plan.action = if effects.highlights > 0 { Action::Highlights } else { Action::Own };
        }
        plan.notes.extend(notes);
        plan.effects = effects;
        plan.steps.extend(steps);
    }
    Ok(removed)
}

type Shelf = HashMap<i64, UserBook>;
type EditionsByBook = HashMap<i64, Vec<Edition>>;

/// When a sync that watches Hardcover last looked at its changes (RFC 3339), and when it last
/// read the whole shelf of the synced books.
const SHELF_SEEN_AT: &str = "sync.hardcover_seen_at";
const SHELF_FULL_AT: &str = "sync.hardcover_full_at";

/// How often a sync that watches Hardcover reads the whole shelf of the synced books anyway,
/// rather than only what `updated_at` says changed: a safety net in case a change on Hardcover
/// does not touch `updated_at`.
pub const FULL_SHELF_CHECK_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Without Hardcover's clock (a port that cannot tell it), ours may differ a little from it:
/// look this much further back.
const CLOCK_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

fn meta_time(store: &Store, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(store.meta_get(key)?.and_then(|v| DateTime::parse_from_rfc3339(&v).ok()).map(|t| t.with_timezone(&Utc)))
}

/// A read of Hardcover: its answer, or the error after which nothing can be planned this run
/// (whether the scheduler should back off is the error's to say: [`PortError::stops_the_run`]).
enum Fetched<T> {
    Ok(T),
    Stopped(PortError),
}

/// What was read of Hardcover's state: the shelf entries, editions, and whether the whole shelf
/// of the synced books was read (rather than only the changes since the last look).
struct HardcoverState {
    shelf: Shelf,
    editions: EditionsByBook,
    /// Books that needed a look: the rest changed on neither side since the last sync.
    looked_at: std::collections::HashSet<i64>,
    full: bool,
}

/// The user's shelf entries for the matched books that need a look, and editions where the plan
/// needs them, in bulk. An item unchanged on the source needs nothing from Hardcover in
/// `to_hardcover`; when Hardcover is watched too, only the books Hardcover changed since the last
/// look (one `updated_at` query) are read again, with a full read once a day.
async fn fetch_hardcover_state<P: HardcoverPort + ?Sized>(
    port: &P,
    budget: &mut Budget,
    store: &Store,
    items: &[SourceItem],
    outcomes: &[MatchOutcome],
    states: &[Option<ItemState>],
    opts: &SyncOptions<'_>,
) -> Result<Fetched<HardcoverState>, StoreError> {
    let watch_hardcover = opts.config.direction != Direction::ToHardcover;
    let mut shelf: Shelf = HashMap::new();
    let mut changed_on_hardcover: Option<std::collections::HashSet<i64>> = None;
    if watch_hardcover {
        let seen = meta_time(store, SHELF_SEEN_AT)?;
        let full_at = meta_time(store, SHELF_FULL_AT)?;
        if let (Some(seen), Some(full_at)) = (seen, full_at)
            && opts.now - full_at < FULL_SHELF_CHECK_EVERY
        {
            budget.spend(1);
            match port.changed_since(seen).await {
                Ok(Some(rows)) => {
                    changed_on_hardcover = Some(rows.iter().map(|u| u.book_id).collect());
                    shelf.extend(rows.into_iter().map(|u| (u.book_id, u)));
                }
                Ok(None) => {}
                Err(e) => return Ok(Fetched::Stopped(e)),
            }
        }
    }
    let mut wanted: Vec<i64> = Vec::new();
    let mut looked_at: Vec<i64> = Vec::new();
    for ((item, m), state) in items.iter().zip(outcomes).zip(states) {
        let Some(book) = m.book_id() else { continue };
        let unchanged = state.as_ref().is_some_and(|s| s.fingerprint == fingerprint(item, Some(book)));
        let hardcover_unchanged = match &changed_on_hardcover {
            _ if !watch_hardcover => true,
            Some(changed) => !changed.contains(&book),
            None => false,
        };
        if unchanged && hardcover_unchanged {
            continue;
        }
        looked_at.push(book);
        if !shelf.contains_key(&book) {
            wanted.push(book);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    if !wanted.is_empty() {
        budget.spend(1);
        match port.user_books(&wanted).await {
            Ok(rows) => shelf.extend(rows.into_iter().map(|u| (u.book_id, u))),
            Err(e) => return Ok(Fetched::Stopped(e)),
        }
    }
    // The change feed may hold books no item maps to this run: the plan never sees those.
    shelf.retain(|book, _| looked_at.contains(book));

    // Editions are needed to add a book, or when the shelf entry has no measurable edition.
    let mut need_editions: Vec<i64> = Vec::new();
    for (item, m) in items.iter().zip(outcomes) {
        let Some(book) = m.book_id().filter(|b| looked_at.contains(b)) else { continue };
        let needed = match shelf.get(&book) {
            None => true,
            Some(ub) => edition_on_shelf(ub, &[], item.format).is_err(),
        };
        if needed {
            need_editions.push(book);
        }
    }
    need_editions.sort_unstable();
    need_editions.dedup();
    let mut editions: EditionsByBook = HashMap::new();
    if !need_editions.is_empty() {
        budget.spend(1);
        match port.editions_of_books(&need_editions).await {
            Ok(found) => {
                for e in found {
                    editions.entry(e.book_id).or_default().push(e);
                }
            }
            Err(e) => return Ok(Fetched::Stopped(e)),
        }
    }
    let looked_at = looked_at.into_iter().collect();
    Ok(Fetched::Ok(HardcoverState {
        shelf,
        editions,
        looked_at,
        full: watch_hardcover && changed_on_hardcover.is_none(),
    }))
}

/// After a run that completed, remember when Hardcover was last looked at: the END of the run by
/// Hardcover's clock (the second after its last answer), so this run's own writes (which bump
/// `updated_at`) are not read back as changes next time. A change someone else makes during the
/// run itself (or in its last second) is caught by the daily full read.
fn remember_look(
    store: &Store,
    opts: &SyncOptions<'_>,
    full: bool,
    finished_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    store.meta_set(SHELF_SEEN_AT, &finished_at.to_rfc3339())?;
    if full {
        store.meta_set(SHELF_FULL_AT, &opts.now.to_rfc3339())?;
    }
    Ok(())
}

/// What the scheduler should make of a sync: back off when Hardcover is offline or rate limiting,
/// report (without hammering) a rejected token, otherwise hand the summary on.
pub fn job_outcome(result: Result<SyncOutcome, StoreError>) -> super::scheduler::JobOutcome<Summary> {
    use super::scheduler::JobOutcome;
    match result {
        Err(e) => JobOutcome::Failed(e.to_string()),
        Ok(outcome) => match outcome.stopped {
            None => JobOutcome::Done(outcome.summary),
            Some(PortError::Offline(message)) => JobOutcome::Offline(message),
            Some(PortError::RateLimited { retry_after }) => JobOutcome::RateLimited { retry_after },
            Some(other) => JobOutcome::Failed(other.to_string()),
        },
    }
}
