//! Each direction: to Hardcover (the rules tests), from Hardcover (write-back to the source), and
//! bidirectional (newest change wins, our own writes never bounce back).

use hardcover_sync_emulators::hardcover::Limits;
use hardcover_sync_emulators::hardcover::state::{UserBook, status};
use serde_json::json;

use super::rules::open_read;
use super::*;

/// Put `book` on the user's shelf as Currently Reading in `edition`, `pages` read; returns the read id.
fn shelve(hc: &RunningHardcover, e: &Edition, pages: i64, updated_at: &str) -> i64 {
    let user = hc.user_id("reader").unwrap();
    let mut db = hc.state().db();
    let ub_id = db.add_user_book(UserBook {
        id: 0,
        user_id: user,
        book_id: e.book_id,
        edition_id: Some(e.id),
        status_id: status::CURRENTLY_READING,
        rating: None,
        privacy_setting_id: 1,
        owned: false,
        private_notes: None,
        review_raw: None,
        date_added: day("2026-09-01"),
        created_at: updated_at.into(),
        updated_at: updated_at.into(),
        first_started_reading_date: None,
    });
    db.add_read(open_read(ub_id, e.id, "2026-09-01", pages))
}

fn ebook_progress(w: &World) -> f64 {
    let p = w.abs.progress(&World::item(0)).expect("the item has progress");
    p["ebookProgress"].as_f64().unwrap_or_default()
}

#[tokio::test]
async fn from_hardcover_writes_hardcovers_progress_back_to_the_source() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 1, paper).remove(0);
    let pages = t.pages.unwrap();
    shelve(&hc, &t, (pages as f64 * 0.6).round() as i64, "2026-11-01T12:00:00+00:00");
    let book = source_book(&hc, &t, 0.2, "2026-09-01");
    let w = World::start(hc, vec![book], "      direction: from_hardcover\n").await;
    let summary = w.sync_ok().await;
    assert_eq!(summary["written_back"], 1, "Hardcover's progress must be written back: {summary:#}");
    let got = ebook_progress(&w);
    assert!((got - 0.6).abs() < 0.01, "the source must now show Hardcover's 60%, shows {got}");
    assert_eq!(w.mutation_fields(), 0, "from_hardcover must never change Hardcover");
    let patches = w.abs.requests().iter().filter(|r| r.starts_with("PATCH")).count();
    w.sync_ok().await;
    let after = w.abs.requests().iter().filter(|r| r.starts_with("PATCH")).count();
    assert_eq!(after, patches, "the same value must not be written back twice");
}

#[tokio::test]
async fn bidirectional_newest_change_wins_and_nothing_ping_pongs() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 1, paper).remove(0);
    let pages = t.pages.unwrap();
    let book = source_book(&hc, &t, 0.3, "2026-10-01");
    let w = World::start(hc, vec![book], "      direction: bidirectional\n").await;

    // Only the source knows the book: pushed.
    w.sync_ok().await;
    let reads = w.reads(t.book_id);
    assert_eq!(reads.len(), 1, "the book is added with one read");
    assert_eq!(reads[0].progress_pages, Some((0.3 * pages as f64).round() as i64), "the source's 30% is pushed");

    // The user reads on (on Hardcover's website): Hardcover is newer.
    {
        let mut db = w.hc.state().db();
        let ub = db.user_book_for(w.user, t.book_id).unwrap().id;
        let read = db.latest_read(ub).unwrap().id;
        db.reads.get_mut(&read).unwrap().progress_pages = Some((0.7 * pages as f64).round() as i64);
        // Hardcover stamps the change with its clock, a moment after our last look.
        let later = chrono::Utc::now() + chrono::TimeDelta::seconds(5);
        db.user_books.get_mut(&ub).unwrap().updated_at = later.to_rfc3339();
    }
    let summary = w.sync_ok().await;
    assert_eq!(summary["written_back"], 1, "the newer Hardcover progress goes to the source: {summary:#}");
    let got = ebook_progress(&w);
    assert!((got - 0.7).abs() < 0.01, "the source must show Hardcover's 70%, shows {got}");

    // No ping-pong: what we wrote to the source is not a change to push back.
    w.hc.state().reset_stats();
    let patches = w.abs.requests().iter().filter(|r| r.starts_with("PATCH")).count();
    w.sync_ok().await;
    assert_eq!(w.mutation_fields(), 0, "our own write-back must not be pushed back to Hardcover");
    assert!(w.fields() <= 1, "watching Hardcover costs one request when nothing changed, cost {}", w.fields());
    let after = w.abs.requests().iter().filter(|r| r.starts_with("PATCH")).count();
    assert_eq!(after, patches, "nor written to the source again");

    // The source is newer now: pushed.
    w.abs.patch_progress_raw(&World::item(0), json!({"ebookProgress": 0.9, "lastUpdate": noon_ms("2026-11-24")}));
    w.sync_ok().await;
    let reads = w.reads(t.book_id);
    assert_eq!(reads.len(), 1, "still one read");
    assert_eq!(reads[0].progress_pages, Some((0.9 * pages as f64).round() as i64), "the newer source progress wins");
}

#[tokio::test]
async fn watching_hardcover_asks_only_for_changes_and_reads_the_whole_shelf_once_a_day() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 3, paper);
    let books = t.iter().map(|e| source_book(&hc, e, 0.3, "2026-10-01")).collect();
    let w = World::start(hc, books, "      direction: bidirectional\n").await;
    w.sync_ok().await;
    let pages = t[0].pages.unwrap();

    // A change on Hardcover that (unlike Hardcover's) leaves updated_at alone: invisible to the
    // change feed, so a sync costs one request and sees nothing …
    {
        let mut db = w.hc.state().db();
        let ub = db.user_book_for(w.user, t[0].book_id).unwrap().id;
        let read = db.latest_read(ub).unwrap().id;
        db.reads.get_mut(&read).unwrap().progress_pages = Some((0.8 * pages as f64).round() as i64);
    }
    w.hc.state().reset_stats();
    w.sync_ok().await;
    assert!(w.fields() <= 1, "with nothing changed by updated_at, one request, cost {}", w.fields());
    assert!(ebook_progress(&w) < 0.5, "precondition: the change feed cannot see an unstamped change");

    // … until the daily full read, which catches it.
    let paths = hardcover_sync::paths::AppPaths::resolve(Some(&w.sb.config), Some(&w.sb.data)).unwrap();
    let store = hardcover_sync::store::Store::open(&paths.database()).unwrap();
    let two_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(2);
    store.meta_set("sync.hardcover_full_at", &two_days_ago.to_rfc3339()).unwrap();
    let summary = w.sync_ok().await;
    assert_eq!(summary["written_back"], 1, "the daily full read must catch what the feed missed: {summary:#}");
    let got = ebook_progress(&w);
    assert!((got - 0.8).abs() < 0.01, "the source must show Hardcover's 80%, shows {got}");
}

#[tokio::test]
async fn bidirectional_both_sides_changed_the_newer_change_wins() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 1, paper).remove(0);
    let pages = t.pages.unwrap();
    let book = source_book(&hc, &t, 0.3, "2026-10-01");
    let w = World::start(hc, vec![book], "      direction: bidirectional\n").await;
    w.sync_ok().await;

    // Both moved on: the source an hour ago, Hardcover just now.
    let hour_ago = chrono::Utc::now() - chrono::TimeDelta::hours(1);
    w.abs.patch_progress_raw(&World::item(0), json!({"ebookProgress": 0.5, "lastUpdate": hour_ago.timestamp_millis()}));
    {
        let mut db = w.hc.state().db();
        let ub = db.user_book_for(w.user, t.book_id).unwrap().id;
        let read = db.latest_read(ub).unwrap().id;
        db.reads.get_mut(&read).unwrap().progress_pages = Some((0.7 * pages as f64).round() as i64);
        let later = chrono::Utc::now() + chrono::TimeDelta::seconds(5);
        db.user_books.get_mut(&ub).unwrap().updated_at = later.to_rfc3339();
    }
    let summary = w.sync_ok().await;
    assert_eq!(summary["written_back"], 1, "the newer Hardcover change must win: {summary:#}");
    let got = ebook_progress(&w);
    assert!((got - 0.7).abs() < 0.01, "the source must take Hardcover's newer 70%, shows {got}");
    assert_eq!(
        w.reads(t.book_id)[0].progress_pages,
        Some((0.7 * pages as f64).round() as i64),
        "the older source change must not overwrite Hardcover"
    );
    w.hc.state().reset_stats();
    w.sync_ok().await;
    assert_eq!(w.mutation_fields(), 0, "and nothing bounces back on the next sync");
}
