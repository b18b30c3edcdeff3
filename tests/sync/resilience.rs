//! Crashes, faults and quotas: nothing lost, nothing duplicated, real dates kept.

use std::collections::BTreeMap;
use std::time::Duration;

use hardcover_sync_emulators::hardcover::{Fault, Limits};

use super::*;

/// A mixed library: audiobooks in progress, finished text books, text books in progress.
fn mixed(hc: &RunningHardcover) -> Vec<SeedBook> {
    let mut books: Vec<SeedBook> =
        editions(hc, 3, audio).iter().map(|e| source_book(hc, e, 0.45, "2026-07-01")).collect();
    let texts = editions(hc, 5, paper);
    books.extend(texts[..3].iter().map(|e| finished_book(hc, e, "2026-06-01", "2026-06-21")));
    books.extend(texts[3..].iter().map(|e| source_book(hc, e, 0.25, "2026-07-05")));
    books
}

/// The user's shelf as comparable values: per book, status, rating, edition and every read.
type Shelf = BTreeMap<i64, (i64, Option<i64>, Vec<(Option<i64>, String, String, Option<i64>, Option<i64>)>)>;

fn shelf(w: &World) -> Shelf {
    let db = w.hc.state().db();
    db.user_books_of(w.user)
        .into_iter()
        .map(|ub| {
            let mut reads: Vec<_> = db.reads_of(ub.id).into_iter().cloned().collect();
            reads.sort_by_key(|r| r.id);
            let reads = reads
                .into_iter()
                .map(|r| {
                    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
                    (r.edition_id, d(r.started_at), d(r.finished_at), r.progress_pages, r.progress_seconds)
                })
                .collect();
            (ub.book_id, (ub.status_id, ub.edition_id, reads))
        })
        .collect()
}

#[tokio::test]
async fn crash_between_send_and_confirm_is_reconciled_without_duplicates_or_lost_dates() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 3, paper);
    let books = t.iter().map(|e| finished_book(&hc, e, "2026-05-01", "2026-05-09")).collect();
    let w = World::start(hc, books, TO_HARDCOVER_SETTLED).await;
    // The first change reaches Hardcover, but its answer never comes back.
    w.hc.knobs().lose_mutation_answers(1);
    let (ok, summary, err) = w.sync(&[]).await;
    assert!(!ok, "a sync cut off mid-change must not report success: {summary:#}");
    assert!(err.contains("run the sync again"), "the message must say what to do: {err}");
    let cut = t.iter().find(|e| w.user_book(e.book_id).is_some()).expect("the lost change was applied on Hardcover");
    assert_eq!(
        w.reads(cut.book_id)[0].finished_at,
        Some(day(TODAY)),
        "precondition: Hardcover dated its automatic read today"
    );

    let summary = w.sync_ok().await;
    for e in &t {
        let reads = w.reads(e.book_id);
        assert_eq!(reads.len(), 1, "after recovery each book has exactly one read: {reads:?}\n{summary:#}");
        assert_eq!(reads[0].finished_at, Some(day("2026-05-09")), "recovery must put the source's finish date back");
    }
    assert_eq!(w.hc.state().db().user_books_of(w.user).len(), 3, "no book added twice");
    w.hc.state().reset_stats();
    w.sync_ok().await;
    assert_eq!(w.mutation_fields(), 0, "once recovered, nothing is left to send");
}

#[tokio::test]
async fn thirty_percent_faults_over_several_syncs_end_equal_to_a_fault_free_sync() {
    let reference = {
        let hc = hardcover_with(Limits::unlimited()).await;
        let books = mixed(&hc);
        let w = World::start(hc, books, TO_HARDCOVER).await;
        w.sync_ok().await;
        shelf(&w)
    };
    assert_eq!(reference.len(), 8, "the fault-free sync adds all eight books");

    let hc = hardcover_with(Limits::unlimited()).await;
    let books = mixed(&hc);
    let w = World::start(hc, books, TO_HARDCOVER_SETTLED).await;
    w.hc.knobs().set_fault_rate(
        0.3,
        vec![
            Fault::Status(500),
            Fault::Status(503),
            Fault::RateLimited { retry_after: 0 },
            Fault::Timeout(Duration::from_millis(20)),
            Fault::Drop,
        ],
        7,
    );
    let mut clean = false;
    for _ in 0..80 {
        let (ok, summary, _) = w.sync(&[]).await;
        if ok && summary["errors"] == 0 {
            clean = true;
            break;
        }
    }
    assert!(clean, "with 30% faults the syncs must eventually get through");
    assert!(w.hc.stats().faults_injected > 0, "faults must have been injected");
    w.hc.knobs().clear();
    w.hc.state().reset_stats();
    w.sync_ok().await;
    assert_eq!(w.mutation_fields(), 0, "after the faulty syncs nothing is left undone");
    assert_eq!(shelf(&w), reference, "the end state must equal the fault-free one: nothing lost or duplicated");
}

#[tokio::test]
async fn daily_budget_low_defers_the_rest_and_says_so() {
    let limits = Limits { daily: 30, ..Limits::unlimited() };
    let hc = hardcover_with(limits).await;
    // More books than 30 requests can add (two each: the insert, then dating the server's read).
    let t = editions(&hc, 20, paper);
    let books = t.iter().map(|e| finished_book(&hc, e, "2026-05-01", "2026-05-09")).collect();
    let w = World::start(hc, books, TO_HARDCOVER).await;
    let (ok, summary, err) = w.sync(&[]).await;
    assert!(ok, "deferring is not an error: {err}\n{summary:#}");
    let deferred: Vec<&Value> =
        summary["items"].as_array().unwrap().iter().filter(|i| i["result"] == "deferred").collect();
    assert!(
        !deferred.is_empty() && summary["finished"].as_u64().unwrap() > 0,
        "some sent, the rest deferred: {summary:#}"
    );
    for d in &deferred {
        let reason = d["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("daily Hardcover request budget"), "a deferral must say why: {reason}");
    }
    assert_eq!(w.hc.stats().status(429), 0, "the sync must stop before Hardcover refuses it");
    let finished = t.iter().filter(|e| w.user_book(e.book_id).is_some()).count();
    assert_eq!(finished as u64, summary["finished"].as_u64().unwrap(), "what the summary counts is what happened");
    for e in t.iter().filter(|e| w.user_book(e.book_id).is_some()) {
        assert_eq!(w.reads(e.book_id).len(), 1, "no half-done book: one read each");
        assert_eq!(w.reads(e.book_id)[0].finished_at, Some(day("2026-05-09")), "each sent book is complete");
    }
}

#[tokio::test]
async fn a_429_beyond_the_bound_defers_the_rest_and_says_when_to_resume() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 2, paper);
    let books = t.iter().map(|e| source_book(&hc, e, 0.4, "2026-10-01")).collect();
    let w = World::start(hc, books, TO_HARDCOVER).await;
    w.hc.knobs().fail_next(1, Fault::RateLimited { retry_after: 3_600 });
    let started = std::time::Instant::now();
    let (ok, summary, err) = w.sync(&[]).await;
    assert!(started.elapsed() < Duration::from_secs(30), "an hour-long Retry-After must not be waited out in the run");
    assert!(!ok, "a deferred run is not a success: {summary:#}");
    assert!(
        err.contains("deferred") && err.contains("run the sync again after") && err.contains("60 min"),
        "the message must say the rest is deferred and when to resume: {err}"
    );
    assert_eq!(w.mutation_fields(), 0, "nothing was sent while Hardcover asked to wait");
}

#[tokio::test]
async fn a_short_429_is_waited_out_and_the_run_finishes() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 2, paper);
    let books = t.iter().map(|e| source_book(&hc, e, 0.4, "2026-10-01")).collect();
    let w = World::start(hc, books, TO_HARDCOVER).await;
    w.hc.knobs().fail_next(1, Fault::RateLimited { retry_after: 1 });
    let summary = w.sync_ok().await;
    assert_eq!(summary["added"], 2, "the refused operation is sent again and the run completes: {summary:#}");
    assert_eq!(w.hc.stats().status(429), 1, "one 429 was answered");
}
