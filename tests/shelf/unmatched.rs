//! The "needs attention" list: an item no Hardcover book was found for comes back named as its
//! reading server names it, authors included.

use hardcover_sync::shelf::unmatched_items;
use hardcover_sync_emulators::seed::SeedBook;

use super::app_with_abs;
use crate::support::hardcover;

#[tokio::test]
async fn an_unmatched_item_keeps_its_servers_title_and_authors() {
    let hc = hardcover(40).await;
    let mut book = SeedBook::generated(0);
    book.title = "Quorum of Lanterns Beneath Zzyzx".into();
    book.author = "Ann Nobody".into();
    book.isbn = None;
    book.asin = None;
    let (_abs, _sb, app) = app_with_abs(&hc, vec![book]).await;
    let outcome = app.sync(false).await.expect("the sync must run");
    assert_eq!(outcome.summary.unmatched, 1, "a book Hardcover does not know stays unmatched: {:?}", outcome.summary);

    let items = unmatched_items(app.store()).expect("the unmatched list must read");
    assert_eq!(items.len(), 1, "the unmatched item must be listed: {items:?}");
    assert_eq!(
        (items[0].title.as_str(), items[0].authors.as_slice()),
        ("Quorum of Lanterns Beneath Zzyzx", ["Ann Nobody".to_string()].as_slice()),
        "an unmatched item must come back with the title and authors its server gave, to search for it by hand"
    );
    assert_eq!(items[0].source, "abs");
}
