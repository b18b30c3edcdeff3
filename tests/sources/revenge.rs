use hardcover_sync::config::SourceKind;
use hardcover_sync::secret::Secret;
use hardcover_sync::sources::{self, Format, SourceError, WriteBack};
use hardcover_sync_emulators::revenge::{RevengeEmulator, book_id};
use hardcover_sync_emulators::seed::SeedBook;

use super::{by_id, config, ms, store};

fn source(url: &str, password: &str) -> Box<dyn sources::ProgressSource> {
    let mut c = config(SourceKind::Revenge, "revenge", url);
    c.username = Some("reader".into());
    sources::build(&c, Some(Secret::new(password)), store()).unwrap()
}

#[tokio::test]
async fn lists_books_with_progress_across_pages() {
    let emu = RevengeEmulator::builder().books(SeedBook::many(150)).unread(20).start().await.unwrap();
    let rv = source(&emu.base_url(), "revenge-pass");
    let items = rv.list().await.unwrap();
    assert_eq!(items.len(), 150, "books without progress (404) are not listed");
    for n in [0usize, 1, 2, 99, 100, 149] {
        let seed = SeedBook::generated(n);
        let item = by_id(&items, &book_id(n));
        assert_eq!(item.title, seed.title);
        assert_eq!(item.asin, seed.asin);
        assert_eq!(item.isbn13, seed.isbn);
        assert_eq!(item.format, if seed.audio { Format::Audio } else { Format::Ebook });
        assert_eq!(item.is_finished, seed.finished);
        assert_eq!(ms(item.finished_at), seed.finished_ms);
        assert_eq!(ms(item.started_at), Some(seed.started_ms));
    }
    assert!(emu.requests().iter().any(|r| r.contains("page=2")), "170 books need a second page");
}

#[tokio::test]
async fn expired_access_token_is_refreshed_and_write_back_lands() {
    let emu = RevengeEmulator::builder().books(SeedBook::many(2)).start().await.unwrap();
    let rv = source(&emu.base_url(), "revenge-pass");
    rv.list().await.unwrap();
    emu.expire_tokens();
    rv.write_back(&book_id(1), &WriteBack::Progress { fraction: 0.75, position: Some(300.0) }).await.unwrap();
    assert_eq!(emu.tokens_issued(), 2, "one login, then one refresh after the 401");
    assert!(emu.requests().iter().any(|r| r.contains("/auth/refresh")), "a 401 is answered with a refresh");
    let p = emu.progress(&book_id(1)).unwrap();
    assert_eq!(p["fraction"], 0.75);
    assert_eq!(p["position"], 300.0);
    rv.write_back(&book_id(1), &WriteBack::Finished { finished_at: None }).await.unwrap();
    assert_eq!(emu.progress(&book_id(1)).unwrap()["finished"], true);
}

#[tokio::test]
async fn wrong_password_is_unauthorized() {
    let emu = RevengeEmulator::builder().books(SeedBook::many(1)).start().await.unwrap();
    let err = source(&emu.base_url(), "wrong").list().await.unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized { .. }), "{err:?}");
}
