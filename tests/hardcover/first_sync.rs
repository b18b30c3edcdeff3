//! Adding books costs two requests each: `insert_user_book` answers with the read the server
//! opened (or finished) by itself, so the sync dates that read without fetching it again.

use std::collections::BTreeMap;

use hardcover_sync_emulators::hardcover::seed::reading_server_book;
use hardcover_sync_emulators::hardcover::state::format;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, SeedSpec};
use hardcover_sync_emulators::seed::BASE_MS;

use crate::shelf::app_with_abs;
use crate::support::TOKEN;

const BOOKS: usize = 6;
const DAY_MS: i64 = 86_400_000;

#[tokio::test]
async fn each_added_book_costs_an_insert_and_one_dated_read() {
    let hc = HardcoverEmulator::builder()
        .library(SeedSpec { books: 40, shelf_share: 0.0, long_list: 0, ..SeedSpec::default() })
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .limits(Limits::unlimited())
        .start()
        .await
        .expect("the Hardcover emulator must start");
    // Printed editions with a page count, matched by ISBN: half in progress, half finished.
    let books: Vec<_> = {
        let db = hc.state().db();
        let editions = db.editions.values().filter(|e| e.reading_format_id == format::PHYSICAL);
        editions
            .filter(|e| e.isbn_13.is_some() && e.pages.is_some())
            .take(BOOKS)
            .enumerate()
            .map(|(i, e)| {
                let mut b = reading_server_book(&db, e.id).expect("a catalog edition");
                b.started_ms = BASE_MS + i as i64 * DAY_MS;
                b.updated_ms = b.started_ms + 3 * DAY_MS;
                if i % 2 == 1 {
                    b.fraction = 1.0;
                    b.finished = true;
                    b.finished_ms = Some(b.updated_ms);
                } else {
                    b.fraction = 0.4;
                }
                (e.book_id, b)
            })
            .collect()
    };
    assert_eq!(books.len(), BOOKS, "the catalog has enough printed editions with ISBNs");
    let (_abs, _sb, app) = app_with_abs(&hc, books.iter().map(|(_, b)| b.clone()).collect()).await;
    hc.state().reset_stats();

    let outcome = app.sync(false).await.expect("the sync must run");
    assert_eq!(outcome.summary.added as usize, BOOKS, "every item is a new book: {:?}", outcome.summary);
    assert_eq!(outcome.summary.errors, 0, "{:?}", outcome.summary);

    // The emulator's own count, over its HTTP stats endpoint.
    let stats: serde_json::Value = reqwest::get(format!("{}/__emulator/stats", hc.base_url()))
        .await
        .expect("the stats endpoint answers")
        .json()
        .await
        .expect("the stats are JSON");
    let fields: BTreeMap<String, u64> = serde_json::from_value(stats["top_level_fields"].clone()).unwrap();
    let field = |name: &str| fields.get(name).copied().unwrap_or(0);
    assert_eq!(field("insert_user_book"), BOOKS as u64, "one insert per added book: {fields:?}");
    assert_eq!(
        field("update_user_book_read"),
        BOOKS as u64,
        "the server's own read is dated, once per book: {fields:?}"
    );
    assert_eq!(field("insert_user_book_read"), 0, "no read is added next to the server's: {fields:?}");
    assert!(
        field("user_books") <= 2,
        "the reads the insert answered with must not be fetched again, one request per book ({} user_books fields): {fields:?}",
        field("user_books")
    );
    assert_eq!(
        outcome.summary.hardcover_requests as u64,
        fields.values().sum::<u64>(),
        "the summary counts what Hardcover billed"
    );

    // And the result is right: one read per book, with the source's dates.
    let user = hc.user_id("reader").unwrap();
    let db = hc.state().db();
    for (book_id, b) in &books {
        let ub = db.user_book_for(user, *book_id).expect("the book is on the shelf");
        let reads = db.reads_of(ub.id);
        assert_eq!(reads.len(), 1, "an added book has exactly one read: {reads:?}");
        let day = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap().date_naive();
        assert_eq!(reads[0].started_at, Some(day(b.started_ms)), "the read starts when the source says");
        assert_eq!(reads[0].finished_at, b.finished_ms.map(day), "a finished read keeps the source's finish date");
    }
}
