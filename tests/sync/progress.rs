//! What a watcher of a sync (the tray, the window) is told while it runs.

use std::sync::Mutex;

use hardcover_sync::sync::observe::{SyncPhase, SyncProgress};
use hardcover_sync_emulators::hardcover::Limits;

use super::*;

#[tokio::test]
async fn a_sync_reports_each_phase_counting_up_to_its_total() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 3, paper);
    let a = editions(&hc, 2, audio);
    let books = t.iter().chain(&a).map(|e| source_book(&hc, e, 0.3, "2026-10-01")).collect::<Vec<_>>();
    let n = books.len() as u32;
    let w = World::start(hc, books, TO_HARDCOVER).await;
    let paths = hardcover_sync::paths::AppPaths::resolve(Some(&w.sb.config), Some(&w.sb.data)).unwrap();
    let config = hardcover_sync::config::Config::load(&paths.config_file).unwrap();
    let app = hardcover_sync::app::App::open(paths, config).unwrap();

    let seen: Mutex<Vec<SyncProgress>> = Mutex::new(Vec::new());
    let outcome = app.sync_observed(false, &|p| seen.lock().unwrap().push(p)).await.unwrap();
    assert!(outcome.stopped.is_none(), "the sync must run to the end: {:?}", outcome.summary);
    assert_eq!(outcome.summary.added, n, "every book is added: {:?}", outcome.summary);
    let seen = seen.into_inner().unwrap();

    let phases: Vec<SyncPhase> = seen.iter().map(|p| p.phase).fold(Vec::new(), |mut v, p| {
        if v.last() != Some(&p) {
            v.push(p);
        }
        v
    });
    assert_eq!(
        phases,
        [SyncPhase::Listing, SyncPhase::Matching, SyncPhase::Updating],
        "a run reports listing, matching and updating, each once and in that order: {seen:?}"
    );
    for phase in phases {
        let steps: Vec<&SyncProgress> = seen.iter().filter(|p| p.phase == phase).collect();
        let total = steps[0].total;
        let want = if phase == SyncPhase::Listing { 1 } else { n };
        assert_eq!(total, want, "{phase:?} counts the sources (listing) or the items (else): {steps:?}");
        assert!(
            steps.iter().all(|p| p.total == total && p.done <= total),
            "within a phase the total stays put and done never exceeds it: {steps:?}"
        );
        assert!(steps.windows(2).all(|w| w[0].done <= w[1].done), "within a phase done only grows: {steps:?}");
        assert_eq!(steps.last().unwrap().done, total, "a phase that completed reports done = total: {steps:?}");
    }
    let updating = seen.iter().filter(|p| p.phase == SyncPhase::Updating).count();
    assert!(
        updating as u32 > n,
        "updating is reported item by item (a step per item and the end), not only at the end: {seen:?}"
    );

    // A dry run reports its phases too, and the CLI's plain `sync` is unchanged by watching.
    let seen: Mutex<Vec<SyncProgress>> = Mutex::new(Vec::new());
    app.sync_observed(true, &|p| seen.lock().unwrap().push(p)).await.unwrap();
    let last = *seen.lock().unwrap().last().expect("a dry run reports progress too");
    assert_eq!(
        (last.phase, last.done, last.total),
        (SyncPhase::Updating, n, n),
        "a dry run ends with every item planned"
    );
}
