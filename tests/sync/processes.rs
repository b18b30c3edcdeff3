//! Several `hardcover-sync` processes on one data folder (the tray, the window and a cron job
//! share one): the real binary, started at once, against the Hardcover emulator.

use std::process::Output;
use std::time::Duration;

use hardcover_sync_emulators::hardcover::Limits;

use super::*;

/// `hardcover-sync sync --json [extra]` as its own process on `w`'s config and data folder.
pub async fn sync_process(w: &World, extra: &[&str]) -> Output {
    sync_command(w, extra).output().await.expect("the hardcover-sync binary must run")
}

pub fn sync_command(w: &World, extra: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(crate::support::cli_binary());
    cmd.arg("--config").arg(&w.sb.config).arg("--data-dir").arg(&w.sb.data).args(["sync", "--json"]).args(extra);
    cmd.env_remove("HARDCOVER_SYNC_CONFIG").env_remove("HARDCOVER_SYNC_DATA_DIR").env_remove("RUST_LOG");
    cmd.kill_on_drop(true);
    cmd
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Audiobooks and text books in progress, some finished: `n` books, each its own catalog book.
fn library(hc: &RunningHardcover, n: usize) -> Vec<SeedBook> {
    let mut books: Vec<SeedBook> =
        editions(hc, n / 2, audio).iter().map(|e| source_book(hc, e, 0.4, "2026-07-01")).collect();
    let texts = editions(hc, n - books.len(), paper);
    books.extend(texts.iter().enumerate().map(|(i, e)| {
        if i % 2 == 0 {
            finished_book(hc, e, "2026-06-01", "2026-06-21")
        } else {
            source_book(hc, e, 0.3, "2026-07-05")
        }
    }));
    assert_eq!(books.len(), n, "precondition: the catalog has {n} books to sync");
    books
}

/// Every source book is on the shelf once, with one read, and nothing is left to send.
async fn each_write_arrived_once(w: &World, n: usize) {
    let stats = w.hc.stats();
    assert_eq!(stats.field("insert_user_book"), n as u64, "Hardcover must see each book added exactly once");
    let books: Vec<i64> = w.hc.state().db().user_books_of(w.user).iter().map(|ub| ub.book_id).collect();
    assert_eq!(books.len(), n, "each source book is on the shelf exactly once");
    for book in books {
        let reads = w.reads(book);
        assert_eq!(reads.len(), 1, "book {book} must have exactly one read, not one per process: {reads:?}");
    }
    w.hc.state().reset_stats();
    w.sync_ok().await;
    assert_eq!(w.mutation_fields(), 0, "after the runs nothing is left to send");
}

#[tokio::test]
async fn three_syncs_started_at_once_send_each_write_once_and_the_others_say_a_sync_is_running() {
    const BOOKS: usize = 40;
    let hc = hardcover_with_catalog(Limits::unlimited(), 160).await;
    let books = library(&hc, BOOKS);
    let w = World::start(hc, books, TO_HARDCOVER).await;
    // Every answer takes a while, as over the internet: the first run lasts seconds, so the
    // other two surely start while it holds the folder.
    w.hc.knobs().set_latency(Duration::from_millis(60));

    let runs = futures::future::join_all((0..3).map(|_| sync_process(&w, &[]))).await;
    let mut synced = 0;
    let mut refused = 0;
    for out in &runs {
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        if out.status.success() {
            let summary: Value = serde_json::from_str(&stdout).expect("a finished sync prints its JSON summary");
            assert_eq!(summary["errors"], 0, "the run that got the folder must succeed: {summary:#}\n{stderr}");
            synced += 1;
        } else {
            assert_eq!(
                out.status.code(),
                Some(hardcover_sync_cli::EXIT_SYNC_BUSY as i32),
                "a run refused because another sync holds the folder exits with its own status: {stderr}"
            );
            assert!(
                stderr.contains("another sync is running (pid ") && stderr.contains("--wait"),
                "the refusal must say another sync is running, name its pid and the way to wait: {stderr}"
            );
            refused += 1;
        }
    }
    assert!(synced >= 1, "one run must do the sync");
    assert!(refused >= 1, "runs started during another must be refused, not run alongside it");
    each_write_arrived_once(&w, BOOKS).await;
}

#[tokio::test]
async fn with_wait_the_runs_queue_one_after_another() {
    const BOOKS: usize = 10;
    let hc = hardcover_with(Limits::unlimited()).await;
    let books = library(&hc, BOOKS);
    let w = World::start(hc, books, TO_HARDCOVER).await;
    w.hc.knobs().set_latency(Duration::from_millis(40));

    let runs = futures::future::join_all((0..3).map(|_| sync_process(&w, &["--wait"]))).await;
    let waited = runs.iter().filter(|o| text(&o.stderr).contains("waiting for it to finish")).count();
    assert!(waited >= 1, "a queued run says it is waiting for the other one, so it does not look hung");
    for out in &runs {
        assert!(out.status.success(), "with --wait every run must wait its turn and succeed: {}", text(&out.stderr));
        let summary: Value = serde_json::from_str(&text(&out.stdout)).expect("each run prints its JSON summary");
        assert_eq!(summary["errors"], 0, "{summary:#}");
    }
    let added: u64 = runs
        .iter()
        .map(|o| serde_json::from_str::<Value>(&text(&o.stdout)).unwrap()["added"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(added, BOOKS as u64, "the books are added by exactly one of the queued runs");
    each_write_arrived_once(&w, BOOKS).await;
}

#[tokio::test]
async fn a_sync_restarted_after_a_kill_at_real_limits_waits_instead_of_hitting_a_429() {
    const BOOKS: usize = 8;
    // Hardcover's free plan: 60 a minute, burst 10.
    let hc = hardcover_with(Limits::default()).await;
    let books = library(&hc, BOOKS);
    let w = World::start(hc, books, TO_HARDCOVER_SETTLED).await;
    // Connecting spent requests too: start from a full bucket, as after a quiet minute.
    w.hc.set_limits(Limits::default());

    let mut first = sync_command(&w, &[]).spawn().expect("the first sync starts");
    let spent = tokio::time::timeout(Duration::from_secs(60), async {
        while w.fields() < 10 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(spent.is_ok(), "the first run must spend the burst of 10 within a minute");
    first.start_kill().expect("the first run can be killed");
    let _ = first.wait().await;

    let started = std::time::Instant::now();
    let out = tokio::time::timeout(Duration::from_secs(120), sync_process(&w, &[])).await.expect("bounded");
    let took = started.elapsed();
    assert!(out.status.success(), "the restarted run must finish the sync: {}", text(&out.stderr));
    assert_eq!(
        w.hc.stats().status(429),
        0,
        "the restarted run must know the burst is spent and wait, never be refused with a 429"
    );
    assert!(took >= Duration::from_secs(2), "the restarted run must have paced itself (took {took:?})");
    let on_shelf: Vec<i64> = w.hc.state().db().user_books_of(w.user).iter().map(|ub| ub.book_id).collect();
    assert_eq!(on_shelf.len(), BOOKS, "every book arrives once across the kill and the restart");
    for book in on_shelf {
        assert_eq!(w.reads(book).len(), 1, "book {book}: one read after the kill and the restart");
    }
}
