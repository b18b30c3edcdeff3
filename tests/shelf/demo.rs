//! Demo mode end to end: the demo's Audiobookshelf items, synced by the real app, show on the
//! shelf in their own format (an ebook as an ebook, not as the printed edition of its book).

use hardcover_sync::app::App;
use hardcover_sync::config::Config;
use hardcover_sync::paths::AppPaths;
use hardcover_sync::shelf::BookFormat;
use hardcover_sync::shelf::rows::detail;
use hardcover_sync_emulators::demo::{self, DEMO_TOKEN, DemoServers, DemoSpec};
use hardcover_sync_emulators::hardcover::state::{Edition, format};
use hardcover_sync_emulators::seed::SeedBook;

/// The demo servers, and an App on their config, connected, its library imported.
async fn demo_app() -> (DemoServers, tempfile::TempDir, App) {
    let servers = demo::start(&DemoSpec::default()).await.expect("the demo servers must start on loopback");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    servers.write_config(&config).unwrap();
    let app = App::open(
        AppPaths::under(config.clone(), &dir.path().join("data")),
        Config::load(&config).expect("the demo config must parse"),
    )
    .expect("the app must open on the demo config");
    app.connect_token(DEMO_TOKEN).await.expect("the demo's personal token must connect");
    app.refresh_library(true).await.expect("the first import must succeed");
    (servers, dir, app)
}

/// The demo's items, as the demo built them from its catalog.
fn items(servers: &DemoServers) -> Vec<SeedBook> {
    demo::abs_books_from_catalog(&servers.hardcover.state().db(), DemoSpec::default().abs_items)
}

/// The catalog edition an item was made from (by its ASIN or ISBN-13).
fn edition_of(servers: &DemoServers, item: &SeedBook) -> Edition {
    let db = servers.hardcover.state().db();
    db.editions
        .values()
        .find(|e| if item.audio { e.asin.is_some() && e.asin == item.asin } else { e.isbn_13 == item.isbn })
        .cloned()
        .unwrap_or_else(|| panic!("item {:?} must carry a catalog edition's identifier", item.title))
}

#[tokio::test]
async fn demo_items_show_on_the_shelf_in_their_own_format() {
    let (servers, _dir, app) = demo_app().await;
    let outcome = app.sync(false).await.expect("the demo sync must run");
    assert_eq!(outcome.stopped, None, "the demo sync must run to the end");
    assert_eq!(outcome.summary.errors, 0, "the demo sync must not fail an item: {:?}", outcome.summary);
    assert_eq!(outcome.summary.unmatched, 2, "the demo leaves exactly its two narrator-tagged items to link");
    let items = items(&servers);
    assert!(items.iter().any(|i| !i.audio) && items.iter().any(|i| i.audio), "the demo has ebooks and audiobooks");
    for item in &items {
        let book_id = edition_of(&servers, item).book_id;
        let d = detail(app.store(), book_id).expect("every demo item's book must be in the library after a sync");
        let want = if item.audio { BookFormat::Audio } else { BookFormat::Ebook };
        assert_eq!(
            d.row.format,
            Some(want),
            "the demo's {want:?} item {:?} must show on the shelf as {want:?}, as its Audiobookshelf item is",
            item.title
        );
    }
}

/// Publishers reuse ISBNs across formats; when two editions answer to an ebook item's ISBN, the
/// book is added with the ebook one, whichever Hardcover lists last.
#[tokio::test]
async fn of_two_editions_sharing_an_isbn_the_item_s_format_wins() {
    let (servers, _dir, app) = demo_app().await;
    let item = items(&servers)
        .into_iter()
        .find(|i| {
            let book = edition_of(&servers, i).book_id;
            !i.audio && !servers.hardcover.state().db().user_books.values().any(|u| u.book_id == book)
        })
        .expect("the demo has an ebook item whose book is not on the shelf yet");
    let ebook = edition_of(&servers, &item);
    let printed = {
        let mut db = servers.hardcover.state().db();
        let mut e = ebook.clone();
        e.reading_format_id = format::PHYSICAL;
        e.asin = None;
        e.edition_format = Some("Paperback".into());
        let id = db.add_edition(e);
        db.editions[&id].clone()
    };
    assert!(printed.id > ebook.id, "the printed twin must be listed after the ebook, so a tie would pick it");

    app.sync(false).await.expect("the demo sync must run");
    let d = detail(app.store(), ebook.book_id).expect("the item's book must be added by the sync");
    let edition = d.edition.expect("a book added by the sync carries the matched edition");
    assert_eq!(
        (edition.id, d.row.format),
        (ebook.id, Some(BookFormat::Ebook)),
        "an ebook item matched by an ISBN two editions share must be added with the ebook edition"
    );
}
