use hardcover_sync::config::SourceKind;
use hardcover_sync::sources::{Format, SourceError, WriteBack};
use hardcover_sync_emulators::kavita::{KavitaEmulator, LIBRARY_ID, ids};
use hardcover_sync_emulators::seed::SeedBook;

use super::{by_id, keyed, ms};

fn item_id(n: usize) -> String {
    let (s, v, c) = ids(n);
    format!("{LIBRARY_ID}/{s}/{v}/{c}")
}

#[tokio::test]
async fn lists_chapters_with_progress_across_series_pages() {
    let emu = KavitaEmulator::builder()
        .books(SeedBook::many(230))
        .unread(7)
        .multi_chapter_series("Saga", vec![(20, 20), (20, 5), (20, 0)])
        .start()
        .await
        .unwrap();
    let kavita = keyed(SourceKind::Kavita, "kavita", &emu.base_url(), "kavita-test-key");
    let items = kavita.list().await.unwrap();
    assert_eq!(items.len(), 232, "230 books plus the two opened Saga chapters; no unread series or chapter");
    let pages = emu.requests().iter().filter(|r| r.contains("all-v2")).count();
    assert_eq!(pages, 2, "231 series at 200 a page are two pages (Pagination header): {:?}", emu.requests());

    for n in [0usize, 1, 2, 199, 200, 229] {
        let seed = SeedBook::generated(n);
        let item = by_id(&items, &item_id(n));
        assert_eq!(item.title, seed.title);
        assert_eq!(item.authors, std::slice::from_ref(&seed.author), "authors are the chapter's writers");
        assert_eq!(item.isbn13, seed.isbn);
        assert_eq!(item.position, Some(f64::from(seed.pages_read())));
        assert_eq!(item.total, Some(f64::from(seed.pages)));
        assert_eq!(item.is_finished, seed.finished, "finished means every page read");
        assert_eq!(item.format, if seed.audio { Format::Comic } else { Format::Ebook });
        assert_eq!(ms(item.updated_at).map(|m| m / 1000), Some(seed.updated_ms / 1000));
        assert_eq!(ms(item.finished_at).map(|m| m / 1000), seed.finished_ms.map(|m| m / 1000));
        assert_eq!(item.started_at, None, "Kavita keeps no start date");
    }
    let saga_done = by_id(&items, "1/900/9000/90000");
    assert!(saga_done.is_finished && saga_done.fraction == 1.0);
    let saga_reading = by_id(&items, "1/900/9000/90001");
    assert!(!saga_reading.is_finished && (saga_reading.fraction - 0.25).abs() < 1e-9);
}

#[tokio::test]
async fn an_expired_jwt_is_renewed_once() {
    let emu = KavitaEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    let kavita = keyed(SourceKind::Kavita, "kavita", &emu.base_url(), "kavita-test-key");
    assert_eq!(kavita.list().await.unwrap().len(), 3);
    assert_eq!(emu.authentications(), 1, "one JWT serves many requests");
    emu.expire_tokens();
    assert_eq!(kavita.list().await.unwrap().len(), 3, "an expired JWT must not fail the listing");
    assert_eq!(emu.authentications(), 2, "a 401 triggers exactly one re-authentication");
}

#[tokio::test]
async fn write_back_progress_and_mark_read() {
    let emu = KavitaEmulator::builder()
        .books(SeedBook::many(2))
        .multi_chapter_series("Saga", vec![(20, 20), (20, 5), (20, 0)])
        .start()
        .await
        .unwrap();
    let kavita = keyed(SourceKind::Kavita, "kavita", &emu.base_url(), "kavita-test-key");
    let (_, _, c0) = ids(0);
    let pages = i64::from(SeedBook::generated(0).pages);
    kavita.write_back(&item_id(0), &WriteBack::Progress { fraction: 0.5, position: None }).await.unwrap();
    assert_eq!(emu.chapter(c0).unwrap().pages_read, (pages as f64 * 0.5).round() as i64);

    kavita.write_back(&item_id(0), &WriteBack::Finished { finished_at: None }).await.unwrap();
    assert_eq!(emu.chapter(c0).unwrap().pages_read, pages, "mark-read reads every page");
    assert!(emu.requests().iter().any(|r| r.contains("mark-read")), "a one-chapter series is marked read");

    kavita.write_back("1/900/9000/90001", &WriteBack::Finished { finished_at: None }).await.unwrap();
    assert_eq!(emu.chapter(90_001).unwrap().pages_read, 20, "the chapter is finished");
    assert_eq!(emu.chapter(90_002).unwrap().pages_read, 0, "finishing one chapter must not mark the others read");

    let err = kavita.write_back("garbage", &WriteBack::Finished { finished_at: None }).await.unwrap_err();
    assert!(err.to_string().contains("not a Kavita item id"), "{err}");
}

#[tokio::test]
async fn wrong_key_is_unauthorized_and_not_echoed() {
    let emu = KavitaEmulator::builder().books(SeedBook::many(1)).start().await.unwrap();
    let kavita = keyed(SourceKind::Kavita, "kavita", &emu.base_url(), "secret-wrong-key");
    let err = kavita.list().await.unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized { .. }), "{err:?}");
    assert!(!err.to_string().contains("secret-wrong-key"), "the api key (sent in the query) must not leak: {err}");
}

#[tokio::test]
async fn fields_of_newer_kavita_versions_are_ignored_not_fatal() {
    let emu = KavitaEmulator::builder().books(SeedBook::many(3)).newer_version_fields().start().await.unwrap();
    let items = keyed(SourceKind::Kavita, "kavita", &emu.base_url(), "kavita-test-key").list().await.unwrap();
    assert_eq!(items.len(), 3, "series, volumes and chapters with unknown fields must still be listed");
}
