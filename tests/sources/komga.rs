use hardcover_sync::config::SourceKind;
use hardcover_sync::sources::{Format, SourceError, WriteBack};
use hardcover_sync_emulators::komga::{KomgaEmulator, book_id};
use hardcover_sync_emulators::seed::SeedBook;

use super::{by_id, keyed, ms};

#[tokio::test]
async fn lists_in_progress_and_read_books_across_pages() {
    let emu = KomgaEmulator::builder().books(SeedBook::many(1_203)).unread(40).start().await.unwrap();
    let komga = keyed(SourceKind::Komga, "komga", &emu.base_url(), "komga-test-key");
    let items = komga.list().await.unwrap();
    assert_eq!(items.len(), 1_203, "every IN_PROGRESS and READ book, none of the unread ones");
    let list_calls = emu.requests().iter().filter(|r| r.contains("/books/list")).count();
    assert_eq!(list_calls, 3, "1,203 books at 500 a page are three pages: {:?}", emu.requests());

    for n in [0usize, 1, 2, 499, 500, 1_202] {
        let seed = SeedBook::generated(n);
        let item = by_id(&items, &book_id(n));
        assert_eq!(item.title, seed.title);
        assert_eq!(item.authors, std::slice::from_ref(&seed.author), "only writers are authors, not the cover artist");
        assert_eq!(item.isbn13, seed.isbn, "the ISBN comes from the book metadata");
        assert_eq!(item.total, Some(f64::from(seed.pages)), "total is the page count");
        assert_eq!(item.position, Some(f64::from(seed.pages_read())), "position is the page");
        let expected = if seed.finished { 1.0 } else { f64::from(seed.pages_read()) / f64::from(seed.pages) };
        assert!((item.fraction - expected).abs() < 1e-9, "fraction = page / pagesCount");
        assert_eq!(item.is_finished, seed.finished);
        assert_eq!(item.format, if seed.audio { Format::Comic } else { Format::Ebook });
        let seconds = |v: Option<i64>| v.map(|m| m / 1000);
        assert_eq!(seconds(ms(item.started_at)), Some(seed.started_ms / 1000), "started = readProgress.created");
        assert_eq!(
            seconds(ms(item.finished_at)),
            seed.finished_ms.map(|m| m / 1000),
            "a READ book's finish date is its readDate"
        );
    }
}

#[tokio::test]
async fn write_back_sets_page_or_completed() {
    let emu = KomgaEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    let komga = keyed(SourceKind::Komga, "komga", &emu.base_url(), "komga-test-key");
    let pages = f64::from(SeedBook::generated(0).pages);
    komga.write_back(&book_id(0), &WriteBack::Progress { fraction: 0.5, position: None }).await.unwrap();
    let rp = emu.read_progress(&book_id(0)).unwrap();
    assert_eq!(rp["page"], (pages * 0.5).round() as i64, "a fraction is written as the matching page");
    assert_eq!(rp["completed"], false);

    komga.write_back(&book_id(1), &WriteBack::Progress { fraction: 0.1, position: Some(42.0) }).await.unwrap();
    assert_eq!(emu.read_progress(&book_id(1)).unwrap()["page"], 42, "a known page is written as is");

    komga.write_back(&book_id(0), &WriteBack::Finished { finished_at: None }).await.unwrap();
    let rp = emu.read_progress(&book_id(0)).unwrap();
    assert_eq!(rp["completed"], true, "finishing marks the book completed");
    assert_eq!(rp["page"], pages as i64);
}

#[tokio::test]
async fn wrong_key_is_unauthorized() {
    let emu = KomgaEmulator::builder().books(SeedBook::many(1)).start().await.unwrap();
    let komga = keyed(SourceKind::Komga, "komga", &emu.base_url(), "nope");
    let err = komga.list().await.unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized { .. }), "{err:?}");
}
