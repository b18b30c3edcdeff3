//! One whole sync: settle the outbox, list the sources, match, fetch Hardcover's state in bulk,
//! plan, execute (or, dry run, just report), and record the run. Generic over the Hardcover port,
//! so the CLI, the tray and the tests drive the same code.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::execute::{Executor, SourceWriter, record_dry_run};
use super::matching::{MatchOutcome, match_items};
use super::plan::{PlanContext, PlanInput, fingerprint, plan};
use super::port::{Edition, HardcoverPort, PortError, UserBook};
use super::progress::{Zone, edition_on_shelf};
use super::summary::Summary;
use crate::config::{Direction, SyncConfig};
use crate::sources::model::{ProgressSource, SourceItem};
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
    let run_id = store.run_start(opts.now, direction_name(opts.config.direction), opts.dry_run)?;
    let mut summary = Summary::new(opts.dry_run);
    let mut exec = Executor::new(port, sources, store, run_id, opts.budget, opts.now);

    if !opts.dry_run {
        let rec = exec.recover().await?;
        if let Some(e) = rec.error {
            summary.record_error("hardcover", format!("finishing the previous sync: {e}"));
        }
    }

    let mut items: Vec<SourceItem> = Vec::new();
    for source in sources {
        match source.list().await {
            Ok(mut listed) => items.append(&mut listed),
            Err(e) => summary.record_error(source.name(), e.to_string()),
        }
    }

    let outcome = async {
        if exec.stopped.is_some() {
            return Ok::<(), StoreError>(());
        }
        // Searches get at most half of what is left: pushing known books matters more than
        // matching new ones, and the rest are matched on later syncs.
        let max_searches = exec.left().saturating_sub(4) / 2;
        let matched = match match_items(port, store, &items, opts.match_threshold, max_searches, opts.now).await {
            Ok(r) => r,
            Err(super::matching::MatchError::Store(e)) => return Err(e),
            Err(super::matching::MatchError::Port(e)) => {
                summary.record_error("hardcover", format!("matching: {e}"));
                exec.stopped = e.stops_the_run().then_some(e);
                return Ok(());
            }
        };
        exec.requests += matched.requests;
        exec.budget = exec.budget.saturating_sub(matched.requests);
        let states: Vec<Option<ItemState>> =
            items.iter().map(|i| store.item_state_get(&i.source, &i.id)).collect::<Result<_, _>>()?;

        let (shelf, editions) =
            match fetch_hardcover_state(&mut exec, &items, &matched.outcomes, &states, opts.config).await {
                Ok(v) => v,
                Err(e) => {
                    summary.record_error("hardcover", format!("reading your shelf: {e}"));
                    exec.stopped = e.stops_the_run().then_some(e);
                    return Ok(());
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
                    user_book: book.and_then(|b| shelf.get(&b)),
                    editions: book.and_then(|b| editions.get(&b)).unwrap_or(&no_editions),
                }
            })
            .collect();
        let ctx = PlanContext { config: opts.config, zone: opts.zone, now: opts.now };
        let plans = plan(&inputs, &ctx);
        if opts.dry_run {
            record_dry_run(&plans, &mut summary);
        } else {
            exec.execute(&plans, &mut summary).await?;
        }
        Ok(())
    }
    .await;
    outcome?;
    // Every request of the run went through the executor's counter: recovery, matching, the
    // shelf, the changes.
    summary.hardcover_requests = exec.requests;
    store.run_finish(run_id, opts.now, &summary.to_json())?;
    Ok(SyncOutcome { run_id, summary, stopped: exec.stopped.take() })
}

type Shelf = HashMap<i64, UserBook>;
type EditionsByBook = HashMap<i64, Vec<Edition>>;

/// The user's shelf entries for every matched book, and editions where the plan needs them, in two
/// bulk requests. In `to_hardcover` an unchanged item needs nothing from Hardcover.
async fn fetch_hardcover_state<P: HardcoverPort + ?Sized, W: SourceWriter + ?Sized>(
    exec: &mut Executor<'_, P, W>,
    items: &[SourceItem],
    outcomes: &[MatchOutcome],
    states: &[Option<ItemState>],
    config: &SyncConfig,
) -> Result<(Shelf, EditionsByBook), PortError> {
    let mut wanted: Vec<i64> = Vec::new();
    for ((item, m), state) in items.iter().zip(outcomes).zip(states) {
        let Some(book) = m.book_id() else { continue };
        let unchanged = state.as_ref().is_some_and(|s| s.fingerprint == fingerprint(item, Some(book)));
        if config.direction == Direction::ToHardcover && unchanged {
            continue;
        }
        wanted.push(book);
    }
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    exec.requests += 1;
    exec.budget = exec.budget.saturating_sub(1);
    let shelf: Shelf = exec.port.user_books(&wanted).await?.into_iter().map(|u| (u.book_id, u)).collect();

    // Editions are needed to add a book, or when the shelf entry has no measurable edition.
    let mut need_editions: Vec<i64> = Vec::new();
    for (item, m) in items.iter().zip(outcomes) {
        let Some(book) = m.book_id().filter(|b| wanted.contains(b)) else { continue };
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
        exec.requests += 1;
        exec.budget = exec.budget.saturating_sub(1);
        for e in exec.port.editions_of_books(&need_editions).await? {
            editions.entry(e.book_id).or_default().push(e);
        }
    }
    Ok((shelf, editions))
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
