//! The executor against an in-memory Hardcover that behaves like the real one (status changes
//! create reads by themselves). These prove the rules hold after execution, not just in the plan.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::*;
use crate::config::{Direction, SyncConfig};
use crate::sources::model::SourceItem;
use crate::store::outbox::{OutboxEntry, OutboxState};
use crate::sync::fake::FakeHardcover;
use crate::sync::matching;
use crate::sync::port::{Edition, PortError, Read, Status};
use crate::sync::progress::Zone;
use crate::sync::run::{SyncOptions, sync_once};
use crate::sync::summary;
use crate::sync::testing::{at, day, item, text_edition};

const BOOK: i64 = 1;
const TODAY: (i32, u32, u32) = (2026, 4, 1);

/// A source that applies write-backs to its items, as a real server would.
struct FakeSource {
    items: Mutex<Vec<SourceItem>>,
    written: Mutex<Vec<(String, WriteBack)>>,
    /// Decline every write-back with this code, as kosync does for a book it cannot place.
    decline: Option<&'static str>,
}

#[async_trait]
impl ProgressSource for FakeSource {
    fn name(&self) -> &str {
        "abs"
    }
    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        Ok(self.items.lock().unwrap().clone())
    }
    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        if let Some(code) = self.decline {
            return Err(SourceError::Declined { source_name: "abs".into(), code, detail: "no local file".into() });
        }
        self.written.lock().unwrap().push((item_id.into(), update.clone()));
        let mut items = self.items.lock().unwrap();
        let it = items.iter_mut().find(|i| i.id == item_id).expect("write-back to a listed item");
        match update {
            WriteBack::Progress { fraction, .. } => it.fraction = *fraction,
            WriteBack::Finished { finished_at } => {
                it.is_finished = true;
                it.fraction = 1.0;
                it.finished_at = *finished_at;
            }
        }
        it.updated_at = Some(at(TODAY.0, TODAY.1, TODAY.2, 12));
        Ok(())
    }
}

fn source(items: Vec<SourceItem>) -> Arc<FakeSource> {
    Arc::new(FakeSource { items: Mutex::new(items), written: Mutex::new(Vec::new()), decline: None })
}

fn hardcover() -> FakeHardcover {
    FakeHardcover::new(day(TODAY.0, TODAY.1, TODAY.2)).with(|s| {
        s.editions = vec![Edition { isbn_13: Some("9780765326355".into()), ..text_edition(10, BOOK, Some(400)) }]
    })
}

fn with_isbn(mut it: SourceItem) -> SourceItem {
    it.isbn13 = Some("9780765326355".into());
    it
}

fn finished_on(mut it: SourceItem, d: u32) -> SourceItem {
    it.is_finished = true;
    it.fraction = 1.0;
    it.finished_at = Some(at(2026, 3, d, 18));
    it
}

async fn sync(
    hc: &FakeHardcover,
    src: &Arc<FakeSource>,
    store: &Store,
    config: &SyncConfig,
    budget: u32,
) -> super::super::run::SyncOutcome {
    sync_at(hc, src, store, config, budget, at(TODAY.0, TODAY.1, TODAY.2, 12)).await
}

async fn sync_at(
    hc: &FakeHardcover,
    src: &Arc<FakeSource>,
    store: &Store,
    config: &SyncConfig,
    budget: u32,
    now: DateTime<Utc>,
) -> super::super::run::SyncOutcome {
    let sources: Vec<Arc<dyn ProgressSource>> = vec![src.clone()];
    let opts = SyncOptions {
        config,
        zone: Zone::utc(),
        now,
        budget,
        dry_run: false,
        match_threshold: matching::DEFAULT_THRESHOLD,
        policies: &[],
        unavailable: &[],
    };
    sync_once(hc, &sources, store, opts).await.unwrap()
}

/// These tests run the next sync at the same instant as the one that crashed; the settle window
/// has tests of its own (`a_write_sent_10_s_ago_...`).
fn to_hardcover() -> SyncConfig {
    SyncConfig { direction: Direction::ToHardcover, outbox_settle: Duration::ZERO, ..SyncConfig::default() }
}

fn mutations(hc: &FakeHardcover) -> Vec<String> {
    hc.calls().into_iter().filter(|c| c.starts_with("insert") || c.starts_with("update")).collect()
}

#[tokio::test]
async fn the_fake_reproduces_the_two_finished_reads_pitfall() {
    // Guard for the tests below: dating the open read BEFORE setting status Read must give two
    // finished reads on this fake, as it does on Hardcover. Otherwise the fake proves nothing.
    let hc = hardcover();
    let open = Read { id: 7, edition_id: Some(10), started_at: Some(day(2026, 2, 1)), ..Read::default() };
    let ub = hc.add_user_book(BOOK, Some(10), Status::CurrentlyReading, vec![open]);
    let dated = crate::sync::port::ReadPatch { finished_at: Some(day(2026, 3, 14)), ..Default::default() };
    hc.update_read(7, &dated).await.unwrap();
    hc.update_user_book(ub, &crate::sync::port::UserBookPatch { status: Some(Status::Read), rating: None })
        .await
        .unwrap();
    let finished = hc.reads_of_book(BOOK).iter().filter(|r| r.is_finished()).count();
    assert_eq!(finished, 2, "the fake must model the server's automatic finished read");
}

#[tokio::test]
async fn finishing_a_currently_reading_book_leaves_one_read_dated_from_the_source() {
    let hc = hardcover();
    let open = Read {
        id: 7,
        edition_id: Some(10),
        progress_pages: Some(300),
        started_at: Some(day(2026, 2, 1)),
        ..Read::default()
    };
    hc.add_user_book(BOOK, Some(10), Status::CurrentlyReading, vec![open]);
    let store = Store::open_in_memory().unwrap();
    let src = source(vec![finished_on(with_isbn(item("a")), 14)]);
    let out = sync(&hc, &src, &store, &to_hardcover(), 100).await;
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 1, "finishing must not leave a second read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day(2026, 3, 14)), "the read must carry the source's finish day, not today");
    assert_eq!(reads[0].started_at, Some(day(2026, 2, 1)), "the user's start date must be kept");
    assert_eq!(reads[0].progress_pages, Some(400));
    assert_eq!(hc.user_book_of(BOOK).unwrap().status, Status::Read);
    assert_eq!((out.summary.finished, out.summary.errors), (1, 0), "{:?}", out.summary);
    assert!(store.outbox_open().unwrap().is_empty(), "every outbox entry must be settled");
    let h = store.history_for_run(out.run_id).unwrap();
    assert_eq!(
        (h[0].action.as_str(), h[0].result.as_str(), h[0].read_id),
        ("finish", "ok", Some(7)),
        "history names the read touched"
    );
}

#[tokio::test]
async fn adding_a_finished_book_leaves_exactly_one_read_dated_from_the_source_and_rated() {
    let hc = hardcover();
    let store = Store::open_in_memory().unwrap();
    let mut it = finished_on(with_isbn(item("a")), 9);
    it.rating = Some(4.0);
    let src = source(vec![it]);
    let out = sync(&hc, &src, &store, &to_hardcover(), 100).await;
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 1, "adding a finished book must leave only the server's read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day(2026, 3, 9)), "dated from the source");
    let ub = hc.user_book_of(BOOK).unwrap();
    assert_eq!((ub.status, ub.rating, ub.edition_id), (Status::Read, Some(4.0), Some(10)));
    assert_eq!((out.summary.added, out.summary.finished, out.summary.rated), (1, 1, 1));
}

#[tokio::test]
async fn a_reread_opens_exactly_one_new_read() {
    let hc = hardcover();
    let done = Read {
        id: 7,
        edition_id: Some(10),
        progress_pages: Some(400),
        finished_at: Some(day(2025, 12, 1)),
        ..Read::default()
    };
    hc.add_user_book(BOOK, Some(10), Status::Read, vec![done]);
    let store = Store::open_in_memory().unwrap();
    let mut it = with_isbn(item("a"));
    it.fraction = 0.2;
    it.started_at = Some(at(2026, 3, 20, 8));
    let out = sync(&hc, &src_of(it), &store, &to_hardcover(), 100).await;
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 2, "a re-read adds exactly one read to the finished one: {reads:?}");
    let new = reads.iter().find(|r| r.id != 7).unwrap();
    assert_eq!((new.progress_pages, new.started_at, new.finished_at), (Some(80), Some(day(2026, 3, 20)), None));
    assert!(
        !hc.calls().iter().any(|c| c.starts_with("insert_read")),
        "the server opened the read itself; inserting one would duplicate it"
    );
    assert_eq!(out.summary.progress_updated, 1);
}

fn src_of(it: SourceItem) -> Arc<FakeSource> {
    source(vec![it])
}

#[tokio::test]
async fn a_second_sync_sends_nothing() {
    let hc = hardcover();
    let store = Store::open_in_memory().unwrap();
    let src = source(vec![finished_on(with_isbn(item("a")), 9)]);
    for config in [to_hardcover(), SyncConfig::default()] {
        sync(&hc, &src, &store, &config, 100).await;
        let before = mutations(&hc).len();
        let out = sync(&hc, &src, &store, &config, 100).await;
        assert_eq!(
            mutations(&hc).len(),
            before,
            "an unchanged item must not be re-finished every sync ({:?})",
            config.direction
        );
        assert_eq!(out.summary.finished, 0);
    }
    assert_eq!(hc.reads_of_book(BOOK).len(), 1, "and it never gains a read");
    let written = src.written.lock().unwrap();
    assert!(written.is_empty(), "nothing must bounce back to the source: {written:?}");
}

#[tokio::test]
async fn a_refused_change_is_a_failure_never_a_success() {
    let hc = hardcover()
        .with(|s| s.fail_once = Some(("insert_user_book".into(), PortError::Rejected("invalid edition".into()))));
    let store = Store::open_in_memory().unwrap();
    let out = sync(&hc, &src_of(finished_on(with_isbn(item("a")), 9)), &store, &to_hardcover(), 100).await;
    assert_eq!(
        (out.summary.errors, out.summary.added, out.summary.finished),
        (1, 0, 0),
        "a refused mutation must count as an error: {:?}",
        out.summary
    );
    assert!(
        out.summary.items[0].reason.as_deref().unwrap().contains("invalid edition"),
        "the error says what Hardcover said"
    );
    assert_eq!(
        store.item_state_get("abs", "a").unwrap(),
        None,
        "a failed item must be retried next sync, not remembered as done"
    );
    let h = store.history_for_run(out.run_id).unwrap();
    assert_eq!(h[0].result, "failed", "history must not log success for a refused change");
    let rows = store.outbox_for_item("abs", "a").unwrap();
    assert!(
        rows.iter().all(|r| r.state == OutboxState::Failed),
        "every row of the failed item is marked failed: {rows:?}"
    );
}

#[tokio::test]
async fn a_crash_after_the_status_change_is_finished_by_reconciliation_with_the_real_date() {
    let hc = hardcover().with(|s| s.fail_once = Some(("reads".into(), PortError::Offline("connection reset".into()))));
    let open = Read {
        id: 7,
        edition_id: Some(10),
        progress_pages: Some(300),
        started_at: Some(day(2026, 2, 1)),
        ..Read::default()
    };
    hc.add_user_book(BOOK, Some(10), Status::CurrentlyReading, vec![open]);
    let store = Store::open_in_memory().unwrap();
    let src = src_of(finished_on(with_isbn(item("a")), 14));
    let first = sync(&hc, &src, &store, &to_hardcover(), 100).await;
    assert!(matches!(first.stopped, Some(PortError::Offline(_))), "going offline stops the run for a retry later");
    assert_eq!(
        hc.reads_of_book(BOOK)[0].finished_at,
        Some(day(TODAY.0, TODAY.1, TODAY.2)),
        "setup: the server dated the read today"
    );

    let second = sync(&hc, &src, &store, &to_hardcover(), 100).await;
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 1, "recovery must not add a read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day(2026, 3, 14)), "recovery must put the source's finish date on the read");
    let status_changes = hc.calls().iter().filter(|c| c.starts_with("update_user_book")).count();
    assert_eq!(status_changes, 1, "the status change that went through must not be sent again");
    assert!(second.stopped.is_none());
    assert!(store.outbox_open().unwrap().is_empty(), "nothing may stay pending after recovery");
}

#[tokio::test]
async fn a_write_sent_10_s_ago_is_left_pending_and_one_older_than_the_window_is_reconciled() {
    let hc =
        hardcover().with(|s| s.fail_once = Some(("update_user_book".into(), PortError::Offline("timeout".into()))));
    hc.add_user_book(
        BOOK,
        Some(10),
        Status::CurrentlyReading,
        vec![Read { id: 7, edition_id: Some(10), ..Read::default() }],
    );
    let store = Store::open_in_memory().unwrap();
    let src = src_of(finished_on(with_isbn(item("a")), 14));
    let config = SyncConfig { direction: Direction::ToHardcover, ..SyncConfig::default() };
    assert_eq!(config.outbox_settle, super::super::outbox::SETTLE_WINDOW, "the window is on by default");
    let t0 = at(TODAY.0, TODAY.1, TODAY.2, 12);
    sync_at(&hc, &src, &store, &config, 100, t0).await;
    let open: Vec<OutboxEntry> = store.outbox_open().unwrap();
    assert_eq!(open.len(), 2, "setup: the status change is 'sent' without an answer and the read update pending");
    let sent_before = mutations(&hc).len();

    let soon = sync_at(&hc, &src, &store, &config, 100, t0 + chrono::TimeDelta::seconds(10)).await;
    for e in &open {
        let now = store.outbox_get(e.id).unwrap().unwrap();
        assert_eq!(now.state, e.state, "a write sent 10 s ago is neither re-sent nor marked lost: {now:?}");
    }
    assert_eq!(
        mutations(&hc).len(),
        sent_before,
        "nothing is sent for an item whose last write may still be processing"
    );
    let item = &soon.summary.items[0];
    assert_eq!(item.result, summary::ItemResult::Deferred, "the item waits for a later sync");
    assert_eq!(item.reason.as_deref(), Some(super::super::outbox::SETTLING_REASON), "and says why");

    sync_at(&hc, &src, &store, &config, 100, t0 + chrono::TimeDelta::seconds(60)).await;
    for e in &open {
        assert_eq!(
            store.outbox_get(e.id).unwrap().unwrap().state,
            OutboxState::Obsolete,
            "past the settle window a write Hardcover does not show is settled as not arrived"
        );
    }
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 1, "the fresh plan finishes the book with one read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day(2026, 3, 14)), "with the source's finish date");
}

#[tokio::test]
async fn a_write_hardcover_turned_away_is_not_waited_for_by_the_next_sync() {
    // A rate limit (or a refused token) is an answer: the change did not arrive, so the settle
    // window, meant for writes whose answer was lost, must not hold the next sync back.
    let hc = hardcover()
        .with(|s| s.fail_once = Some(("update_user_book".into(), PortError::RateLimited { retry_after: None })));
    hc.add_user_book(
        BOOK,
        Some(10),
        Status::CurrentlyReading,
        vec![Read { id: 7, edition_id: Some(10), ..Read::default() }],
    );
    let store = Store::open_in_memory().unwrap();
    let src = src_of(finished_on(with_isbn(item("a")), 14));
    let config = SyncConfig { direction: Direction::ToHardcover, ..SyncConfig::default() };
    let t0 = at(TODAY.0, TODAY.1, TODAY.2, 12);
    sync_at(&hc, &src, &store, &config, 100, t0).await;
    assert!(
        store.outbox_open().unwrap().iter().all(|e| e.state != OutboxState::Sent),
        "a write Hardcover turned away must not be left as 'sent'"
    );

    let next = sync_at(&hc, &src, &store, &config, 100, t0 + chrono::TimeDelta::seconds(10)).await;
    assert_ne!(
        next.summary.items[0].result,
        summary::ItemResult::Deferred,
        "the next sync must not wait out the settle window for a write that was refused"
    );
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 1, "the next sync finishes the book with one read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day(2026, 3, 14)), "with the source's finish date");
}

#[tokio::test]
async fn reconciliation_drops_what_never_reached_hardcover_instead_of_resending_it() {
    let hc =
        hardcover().with(|s| s.fail_once = Some(("update_user_book".into(), PortError::Offline("timeout".into()))));
    hc.add_user_book(
        BOOK,
        Some(10),
        Status::CurrentlyReading,
        vec![Read { id: 7, edition_id: Some(10), ..Read::default() }],
    );
    let store = Store::open_in_memory().unwrap();
    let src = src_of(finished_on(with_isbn(item("a")), 14));
    sync(&hc, &src, &store, &to_hardcover(), 100).await;
    let stale: Vec<i64> = store.outbox_open().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(stale.len(), 2, "setup: the status change is 'sent' and the read update pending");

    sync(&hc, &src, &store, &to_hardcover(), 100).await;
    for id in stale {
        assert_eq!(
            store.outbox_get(id).unwrap().unwrap().state,
            OutboxState::Obsolete,
            "stale rows are settled as obsolete, not re-sent"
        );
    }
    let reads = hc.reads_of_book(BOOK);
    assert_eq!(reads.len(), 1, "the fresh plan finishes the book with one read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day(2026, 3, 14)));
}

#[tokio::test]
async fn deferral_when_the_budget_runs_low_says_so() {
    let hc = FakeHardcover::new(day(TODAY.0, TODAY.1, TODAY.2)).with(|s| {
        s.editions = vec![
            Edition { isbn_13: Some("9780765326355".into()), ..text_edition(10, 1, Some(400)) },
            Edition { isbn_13: Some("9780306406157".into()), ..text_edition(20, 2, Some(300)) },
        ]
    });
    let store = Store::open_in_memory().unwrap();
    let a = finished_on(with_isbn(item("a")), 9);
    let mut b = finished_on(item("b"), 10);
    b.isbn13 = Some("9780306406157".into());
    // Matching (1) + shelf (1) + editions (1) + one item (1 add + 2 for dating its read) = 6.
    let out = sync(&hc, &source(vec![a, b]), &store, &to_hardcover(), 7).await;
    assert_eq!((out.summary.added, out.summary.deferred), (1, 1), "{:?}", out.summary);
    let deferred = out.summary.items.iter().find(|i| i.result == summary::ItemResult::Deferred).unwrap();
    assert!(
        deferred.reason.as_deref().unwrap().contains("budget"),
        "a deferral must say it is the budget: {deferred:?}"
    );
    assert!(hc.user_book_of(2).is_none(), "a deferred item sends nothing, not half of its steps");
    assert!(store.item_state_get("abs", deferred.id.as_str()).unwrap().is_none(), "and is retried on a later sync");
    assert!(
        out.summary.hardcover_requests <= 7,
        "the run must stay within its budget: {}",
        out.summary.hardcover_requests
    );
}

#[tokio::test]
async fn from_hardcover_writes_back_through_the_source_once() {
    let hc = hardcover();
    let done = Read {
        id: 7,
        edition_id: Some(10),
        progress_pages: Some(400),
        finished_at: Some(day(2026, 3, 30)),
        ..Read::default()
    };
    hc.add_user_book(BOOK, Some(10), Status::Read, vec![done]);
    let store = Store::open_in_memory().unwrap();
    let mut it = with_isbn(item("a"));
    it.fraction = 0.5;
    let src = src_of(it);
    let config = SyncConfig { direction: Direction::FromHardcover, ..SyncConfig::default() };
    let out = sync(&hc, &src, &store, &config, 100).await;
    assert_eq!(out.summary.written_back, 1);
    sync(&hc, &src, &store, &config, 100).await; // the stale source still says 50%
    let written = src.written.lock().unwrap();
    assert_eq!(written.len(), 1, "a write-back is made once, not every sync: {written:?}");
    assert!(matches!(written[0].1, WriteBack::Finished { finished_at: Some(t) } if t.date_naive() == day(2026, 3, 30)));
    assert!(mutations(&hc).is_empty(), "from_hardcover never changes Hardcover");
}

#[tokio::test]
async fn a_declined_write_back_is_a_skip_with_its_reason_never_an_error() {
    let hc = hardcover();
    let done = Read {
        id: 7,
        edition_id: Some(10),
        progress_pages: Some(400),
        finished_at: Some(day(2026, 3, 30)),
        ..Read::default()
    };
    hc.add_user_book(BOOK, Some(10), Status::Read, vec![done]);
    let store = Store::open_in_memory().unwrap();
    let mut it = with_isbn(item("a"));
    it.fraction = 0.5;
    let src = Arc::new(FakeSource {
        items: Mutex::new(vec![it]),
        written: Mutex::new(Vec::new()),
        decline: Some("cannot_place_position"),
    });
    let config = SyncConfig { direction: Direction::FromHardcover, ..SyncConfig::default() };
    let out = sync(&hc, &src, &store, &config, 100).await;
    assert_eq!(
        (out.summary.errors, out.summary.written_back, out.summary.skipped),
        (0, 0, 1),
        "a declined write-back is skipped, not failed nor counted as written"
    );
    let history = store.history_recent(10).unwrap();
    let row = history.iter().find(|h| h.item_id == "a").expect("the item has a history row");
    assert_eq!(row.result, "skipped");
    assert!(
        row.reason.as_deref().is_some_and(|r| r.contains("cannot_place_position")),
        "history says why: {:?}",
        row.reason
    );
}

#[tokio::test]
async fn a_dry_run_sends_nothing_and_reports_the_plan() {
    let hc = hardcover();
    let store = Store::open_in_memory().unwrap();
    let sources: Vec<Arc<dyn ProgressSource>> = vec![src_of(finished_on(with_isbn(item("a")), 9))];
    let config = to_hardcover();
    let opts = SyncOptions {
        config: &config,
        zone: Zone::utc(),
        now: at(2026, 4, 1, 12),
        budget: 100,
        dry_run: true,
        match_threshold: matching::DEFAULT_THRESHOLD,
        policies: &[],
        unavailable: &[],
    };
    let out = sync_once(&hc, &sources, &store, opts).await.unwrap();
    assert!(mutations(&hc).is_empty(), "a dry run must not change Hardcover: {:?}", hc.calls());
    assert!(out.summary.dry_run);
    assert_eq!((out.summary.added, out.summary.finished), (1, 1), "a dry run counts what would be done");
    assert_eq!(out.summary.items[0].result, summary::ItemResult::Planned);
    assert!(
        store.outbox_open().unwrap().is_empty() && store.item_state_get("abs", "a").unwrap().is_none(),
        "and records nothing as done"
    );
    let run = store.run_get(out.run_id).unwrap().unwrap();
    assert!(run.dry_run && run.summary.is_some(), "the run is recorded as a dry run with its summary");
}

#[tokio::test]
async fn bidirectional_settles_after_one_change_each_way_no_ping_pong() {
    let hc = hardcover();
    let open = Read {
        id: 7,
        edition_id: Some(10),
        progress_pages: Some(120),
        started_at: Some(day(2026, 2, 1)),
        ..Read::default()
    };
    hc.add_user_book(BOOK, Some(10), Status::CurrentlyReading, vec![open]);
    let store = Store::open_in_memory().unwrap();
    let mut it = with_isbn(item("a"));
    it.fraction = 0.5;
    let src = src_of(it);
    let config = SyncConfig::default();
    assert_eq!(config.direction, Direction::Bidirectional);

    let first = sync(&hc, &src, &store, &config, 100).await;
    assert_eq!(first.summary.progress_updated, 1, "the source is further along: pushed");
    assert_eq!(hc.reads_of_book(BOOK)[0].progress_pages, Some(200));

    // The user reads on in a paper copy and updates Hardcover by hand.
    hc.state.lock().unwrap().reads[0].1.progress_pages = Some(280);
    let second = sync(&hc, &src, &store, &config, 100).await;
    assert_eq!(second.summary.written_back, 1, "Hardcover's newer progress goes to the source: {:?}", second.summary);

    let mutations_before = mutations(&hc).len();
    for _ in 0..3 {
        let again = sync(&hc, &src, &store, &config, 100).await;
        assert_eq!(
            (again.summary.progress_updated, again.summary.written_back),
            (0, 0),
            "once both sides agree nothing may bounce back and forth: {:?}",
            again.summary
        );
    }
    assert_eq!(mutations(&hc).len(), mutations_before, "no further Hardcover writes");
    assert_eq!(src.written.lock().unwrap().len(), 1, "no further source writes");
}
