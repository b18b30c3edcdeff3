//! Matching: ASIN, then ISBN-13, then ISBN-10, looked up in bulk; a title + author search when
//! there is no identifier; unmatched items keep candidates; a manual link wins.

use hardcover_sync::paths::AppPaths;
use hardcover_sync::store::Store;
use hardcover_sync_emulators::hardcover::Limits;

use super::*;

#[tokio::test]
async fn matching_asin_isbn13_isbn10_in_bulk_then_search_then_unmatched_then_manual_link() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let mut texts = editions(&hc, 4, |db, e| paper(db, e) && e.isbn_10.is_some() && e.book_id != a.book_id);
    let (t13, t10, searched, namesake) = (texts.remove(0), texts.remove(0), texts.remove(0), texts.remove(0));

    let by_asin = source_book(&hc, &a, 0.3, "2026-10-01");
    let mut by_isbn13 = source_book(&hc, &t13, 0.3, "2026-10-01");
    by_isbn13.isbn = t13.isbn_13.clone();
    let mut by_isbn10 = source_book(&hc, &t10, 0.3, "2026-10-01");
    by_isbn10.isbn = t10.isbn_10.clone();
    let mut by_search = source_book(&hc, &searched, 0.3, "2026-10-01");
    by_search.isbn = None;
    // The right title but no author: not sure enough to sync, worth suggesting.
    let mut unsure = source_book(&hc, &namesake, 0.3, "2026-10-01");
    unsure.isbn = None;
    unsure.author = String::new();
    let w = World::start(hc, vec![by_asin, by_isbn13, by_isbn10, by_search, unsure], TO_HARDCOVER).await;

    let summary = w.sync_ok().await;
    let stats = w.hc.stats();
    assert!(
        stats.field("editions") <= 3,
        "identifiers must be looked up in bulk (one ASIN field, one ISBN field, then one for the matched books' editions), took {} editions fields",
        stats.field("editions")
    );
    assert_eq!(stats.field("search"), 2, "only the two items without identifiers are searched");
    assert_eq!(summary["added"], 4, "four items are matched and added: {summary:#}");
    assert_eq!(summary["unmatched"], 1, "one stays unmatched: {summary:#}");
    assert_eq!(w.user_book(a.book_id).unwrap().edition_id, Some(a.id), "ASIN match → the audio edition");
    assert_eq!(w.user_book(t13.book_id).unwrap().edition_id, Some(t13.id), "ISBN-13 match → that edition");
    assert_eq!(w.user_book(t10.book_id).unwrap().edition_id, Some(t10.id), "ISBN-10 match → that edition");
    assert!(w.user_book(searched.book_id).is_some(), "title + author search must find the book");
    assert!(w.user_book(namesake.book_id).is_none(), "an unsure match must not be synced");
    let reason = item_of(&summary, &World::item(4))["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.starts_with("unmatched"), "the summary must say the item is unmatched: {reason}");

    let paths = AppPaths::resolve(Some(&w.sb.config), Some(&w.sb.data)).unwrap();
    let unmatched = Store::open(&paths.database()).unwrap().matches_unmatched().unwrap();
    assert_eq!(unmatched.len(), 1, "one unmatched item is remembered");
    assert!(
        unmatched[0].candidates.iter().any(|c| c.book_id == namesake.book_id),
        "an unmatched item keeps its candidates for the user to pick: {:?}",
        unmatched[0].candidates
    );

    let book = namesake.book_id.to_string();
    let (ok, _, err) = w.sb.cli(&["link", "abs", &World::item(4), "--book", &book]).await;
    assert!(ok, "link must work: {err}");
    let summary = w.sync_ok().await;
    assert_eq!(summary["added"], 1, "the linked item is synced: {summary:#}");
    assert!(w.user_book(namesake.book_id).is_some(), "a manual link must be used");

    let (ok, _, err) = w.sb.cli(&["unlink", "abs", &World::item(0)]).await;
    assert!(ok, "unlink must work: {err}");
    w.abs
        .patch_progress_raw(&World::item(0), serde_json::json!({"progress": 0.5, "lastUpdate": noon_ms("2026-11-01")}));
    let summary = w.sync_ok().await;
    let reason = item_of(&summary, &World::item(0))["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.starts_with("unlinked"), "an unlinked item is left out of syncs: {reason}");
    let (ok, _, _) = w.sb.cli(&["link", "nope", "x", "--book", "1"]).await;
    assert!(!ok, "linking an item of an unknown source must fail");
}
