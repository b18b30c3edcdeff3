//! The push rules (source → Hardcover), each proven over HTTP against the emulator's state.

use hardcover_sync_emulators::hardcover::Limits;
use hardcover_sync_emulators::hardcover::state::{UserBook, UserBookRead, status};
use serde_json::json;

use super::*;

#[tokio::test]
async fn progress_audio_in_seconds_text_in_pages_scaled_to_the_edition_never_zero() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let t = editions(&hc, 1, paper).remove(0);
    let books = vec![source_book(&hc, &a, 0.4, "2026-10-01"), source_book(&hc, &t, 0.35, "2026-10-02")];
    let w = World::start(hc, books, TO_HARDCOVER).await;
    let summary = w.sync_ok().await;
    assert_eq!(summary["added"], 2, "both items must be added: {summary:#}");

    let reads = w.reads(a.book_id);
    assert_eq!(reads.len(), 1, "adding a book as Currently Reading must leave exactly one read: {reads:?}");
    let total = a.audio_seconds.unwrap();
    let secs = reads[0].progress_seconds.expect("audio progress must be sent as seconds");
    let want = (0.4 * total as f64).round() as i64;
    assert!((secs - want).abs() <= 2, "audio progress must be 40% of the edition's {total}s: got {secs}, want {want}");
    assert_eq!(reads[0].progress_pages, None, "an audiobook must not be tracked in pages");
    assert_eq!(reads[0].edition_id, Some(a.id), "the read must count against the matched audio edition");

    let reads = w.reads(t.book_id);
    assert_eq!(reads.len(), 1, "exactly one read for the text book: {reads:?}");
    let pages = t.pages.unwrap();
    assert_eq!(
        reads[0].progress_pages,
        Some((0.35 * pages as f64).round() as i64),
        "text progress must be pages scaled to the edition's {pages} pages"
    );
    assert_eq!(reads[0].progress_seconds, None, "a text edition must not get seconds");
    let db = w.hc.state().db();
    for book in [a.book_id, t.book_id] {
        let ub = db.user_book_for(w.user, book).unwrap();
        assert_eq!(ub.status_id, status::CURRENTLY_READING, "a started book is Currently Reading");
        let read = db.latest_read(ub.id).unwrap();
        assert!(db.read_progress(read) > 0.0, "progress on Hardcover must never show 0% for a started book");
    }
}

#[tokio::test]
async fn one_read_at_a_time_finish_keeps_one_read_and_a_reread_adds_exactly_one() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let t = editions(&hc, 1, paper).remove(0);
    // One book read from start to end on the server (status 2 → 3 auto-reads), one finished
    // before the first sync (added straight as Read).
    let books = vec![source_book(&hc, &a, 0.5, "2026-09-01"), finished_book(&hc, &t, "2026-08-01", "2026-08-20")];
    let w = World::start(hc, books, TO_HARDCOVER).await;
    w.sync_ok().await;
    assert_eq!(w.reads(t.book_id).len(), 1, "a book added as Read must have exactly one read (no second 'today' read)");

    // Finish the audiobook: status 2 → 3 makes the server finish the open read by itself.
    let id = World::item(0);
    w.abs.patch_progress_raw(
        &id,
        json!({"progress": 1.0, "currentTime": a.audio_seconds.unwrap(), "isFinished": true,
               "finishedAt": noon_ms("2026-09-20"), "lastUpdate": noon_ms("2026-09-20")}),
    );
    w.sync_ok().await;
    let reads = w.reads(a.book_id);
    assert_eq!(reads.len(), 1, "finishing must close THE open read, never add a second one: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day("2026-09-20")), "the read must carry the source's finish date");

    // A re-read: started again after the finish.
    w.abs.patch_progress_raw(
        &id,
        json!({"progress": 0.1, "currentTime": a.audio_seconds.unwrap() / 10, "isFinished": false, "finishedAt": null,
               "startedAt": noon_ms("2026-10-05"), "lastUpdate": noon_ms("2026-10-06")}),
    );
    w.sync_ok().await;
    let reads = w.reads(a.book_id);
    assert_eq!(reads.len(), 2, "a re-read must add exactly one new read: {reads:?}");
    assert_eq!(reads[0].finished_at, Some(day("2026-09-20")), "the first read keeps its finish date");
    assert!(
        reads[1].finished_at.is_none() && reads[1].progress_seconds.is_some(),
        "the new read is open with progress"
    );
    w.sync_ok().await;
    assert_eq!(w.reads(a.book_id).len(), 2, "a further sync must not add reads");
    let ub = w.user_book(a.book_id).unwrap();
    assert_eq!(ub.status_id, status::CURRENTLY_READING, "a re-read is Currently Reading");
}

#[tokio::test]
async fn never_lower_progress_with_the_regression_guard() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 1, paper).remove(0);
    let book = source_book(&hc, &t, 0.5, "2026-10-01");
    let w = World::start(hc, vec![book], TO_HARDCOVER).await;
    w.sync_ok().await;
    let before = w.reads(t.book_id)[0].progress_pages;
    assert!(before.is_some());
    // A stale device reports less.
    w.abs.patch_progress_raw(&World::item(0), json!({"ebookProgress": 0.2, "lastUpdate": noon_ms("2026-10-10")}));
    let summary = w.sync_ok().await;
    assert_eq!(w.reads(t.book_id)[0].progress_pages, before, "progress on Hardcover must never be lowered");
    let reason = item_of(&summary, &World::item(0))["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.contains("would lower progress"), "the skip must say why: {reason}");
}

#[tokio::test]
async fn never_refinish_a_second_sync_sends_no_mutation() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 3, paper);
    let books = t.iter().map(|e| finished_book(&hc, e, "2026-05-01", "2026-05-09")).collect();
    let w = World::start(hc, books, TO_HARDCOVER).await;
    let first = w.sync_ok().await;
    assert_eq!(first["finished"], 3, "three finished books: {first:#}");
    w.hc.state().reset_stats();
    let second = w.sync_ok().await;
    assert_eq!(w.mutation_fields(), 0, "a second sync with nothing changed must send no mutation");
    assert!(w.fields() <= 1, "a second sync with nothing changed costs at most one request, cost {}", w.fields());
    assert_eq!(second["finished"], 0, "nothing is finished twice: {second:#}");
    for e in &t {
        assert_eq!(w.reads(e.book_id).len(), 1, "a finished book keeps exactly one read");
    }
}

#[tokio::test]
async fn finished_at_is_the_sources_finish_date_not_today() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let t = editions(&hc, 1, paper).remove(0);
    let books =
        vec![finished_book(&hc, &a, "2026-02-01", "2026-02-14"), finished_book(&hc, &t, "2026-03-03", "2026-03-10")];
    let w = World::start(hc, books, TO_HARDCOVER).await;
    w.sync_ok().await;
    for (book, started, finished) in [(a.book_id, "2026-02-01", "2026-02-14"), (t.book_id, "2026-03-03", "2026-03-10")]
    {
        let reads = w.reads(book);
        assert_eq!(reads.len(), 1, "one read per finished book: {reads:?}");
        assert_eq!(
            reads[0].finished_at,
            Some(day(finished)),
            "finished_at must be the source's finish date, not {TODAY}"
        );
        assert_eq!(reads[0].started_at, Some(day(started)), "started_at must be the source's start date");
        assert_eq!(w.user_book(book).unwrap().status_id, status::READ, "a finished book is Read");
    }
}

#[tokio::test]
async fn rating_never_overwrites_the_users_own_rating_on_finish() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 1, paper).remove(0);
    let user = hc.user_id("reader").unwrap();
    // The user rated the book on Hardcover while reading it.
    {
        let mut db = hc.state().db();
        let ub = UserBook {
            id: 0,
            user_id: user,
            book_id: t.book_id,
            edition_id: Some(t.id),
            status_id: status::CURRENTLY_READING,
            rating: Some(4.5),
            privacy_setting_id: 1,
            owned: false,
            private_notes: None,
            review_raw: None,
            date_added: day("2026-04-01"),
            created_at: "2026-04-01T12:00:00+00:00".into(),
            updated_at: "2026-04-01T12:00:00+00:00".into(),
            first_started_reading_date: None,
        };
        let ub_id = db.add_user_book(ub);
        db.add_read(open_read(ub_id, t.id, "2026-04-01", 10));
    }
    let book = finished_book(&hc, &t, "2026-04-01", "2026-04-30");
    let w = World::start(hc, vec![book], TO_HARDCOVER).await;
    w.sync_ok().await;
    let ub = w.user_book(t.book_id).unwrap();
    assert_eq!(ub.status_id, status::READ, "the book must be finished");
    assert_eq!(ub.rating, Some(4.5), "the user's own Hardcover rating must never be overwritten");
    let reads = w.reads(t.book_id);
    assert_eq!(reads.len(), 1, "finishing closes the open read: {reads:?}");
    assert_eq!(reads[0].started_at, Some(day("2026-04-01")), "the user's start date is kept");
    assert_eq!(reads[0].finished_at, Some(day("2026-04-30")), "the source's finish date is written");
}

#[tokio::test]
async fn edition_never_switched_when_the_user_already_has_the_book() {
    let hc = hardcover_with(Limits::unlimited()).await;
    // A book with both a printed and an audio edition; the user reads the printed one.
    let a = editions(&hc, 40, audio)
        .into_iter()
        .find(|a| {
            let db = hc.state().db();
            db.editions_of(a.book_id).iter().any(|e| e.reading_format_id == format::PHYSICAL && e.pages.is_some())
        })
        .expect("the catalog has a book with audio and printed editions");
    let printed = {
        let db = hc.state().db();
        db.editions_of(a.book_id)
            .into_iter()
            .find(|e| e.reading_format_id == format::PHYSICAL && e.pages.is_some())
            .cloned()
            .unwrap()
    };
    let user = hc.user_id("reader").unwrap();
    {
        let mut db = hc.state().db();
        let ub_id = db.add_user_book(UserBook {
            id: 0,
            user_id: user,
            book_id: a.book_id,
            edition_id: Some(printed.id),
            status_id: status::CURRENTLY_READING,
            rating: None,
            privacy_setting_id: 1,
            owned: true,
            private_notes: None,
            review_raw: None,
            date_added: day("2026-06-01"),
            created_at: "2026-06-01T12:00:00+00:00".into(),
            updated_at: "2026-06-01T12:00:00+00:00".into(),
            first_started_reading_date: None,
        });
        db.add_read(open_read(ub_id, printed.id, "2026-06-01", 5));
    }
    // The audiobook (matched by ASIN to the AUDIO edition) is further along.
    let book = source_book(&hc, &a, 0.6, "2026-06-01");
    let w = World::start(hc, vec![book], TO_HARDCOVER).await;
    w.sync_ok().await;
    let ub = w.user_book(a.book_id).unwrap();
    assert_eq!(ub.edition_id, Some(printed.id), "the user's chosen edition must never be switched by the sync");
    let reads = w.reads(a.book_id);
    assert_eq!(reads.len(), 1, "the open read is updated, not duplicated: {reads:?}");
    assert_eq!(reads[0].edition_id, Some(printed.id), "the read stays on the user's edition");
    let pages = printed.pages.unwrap();
    assert_eq!(
        reads[0].progress_pages,
        Some((0.6 * pages as f64).round() as i64),
        "progress is counted in the user's edition's pages"
    );
}

pub fn open_read(user_book_id: i64, edition_id: i64, started: &str, pages: i64) -> UserBookRead {
    UserBookRead {
        id: 0,
        user_book_id,
        edition_id: Some(edition_id),
        started_at: Some(day(started)),
        finished_at: None,
        paused_at: None,
        progress_pages: Some(pages),
        progress_seconds: None,
        finished_at_precision: None,
    }
}
