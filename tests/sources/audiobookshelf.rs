use chrono::{TimeZone, Utc};
use hardcover_sync::config::SourceKind;
use hardcover_sync::sources::{Format, SourceError, WriteBack};
use hardcover_sync_emulators::audiobookshelf::{AbsEmulator, SAMPLE_AUDIOBOOK_ID, SAMPLE_EBOOK_ID, generated_item_id};
use hardcover_sync_emulators::seed::SeedBook;

use super::{by_id, keyed, ms};

#[tokio::test]
async fn lists_sample_and_generated_items_with_progress() {
    let emu = AbsEmulator::builder().with_samples().books(SeedBook::many(12)).with_podcast().start().await.unwrap();
    let abs = keyed(SourceKind::Audiobookshelf, "abs", &emu.base_url(), "abs-test-key");
    let items = abs.list().await.unwrap();
    assert_eq!(items.len(), 14, "two sample items and twelve generated ones, and no podcast episode");
    assert!(items.iter().all(|i| i.source == "abs"), "every item names its source");

    let audio = by_id(&items, SAMPLE_AUDIOBOOK_ID);
    assert_eq!(audio.title, "Tiny Audiobook");
    assert_eq!(audio.authors, ["Jane Testauthor"]);
    assert_eq!(audio.format, Format::Audio);
    assert_eq!(audio.fraction, 0.4);
    assert_eq!(audio.position, Some(240.0), "audio position is currentTime in seconds");
    assert_eq!(audio.total, Some(600.0), "audio total is the progress duration in seconds");
    assert_eq!(audio.isbn13.as_deref(), Some("9780306406157"));
    assert_eq!(audio.isbn10.as_deref(), Some("0306406152"), "the ISBN-10 is derived from a 978 ISBN-13");
    assert_eq!(audio.asin.as_deref(), Some("B0TESTASIN"));
    assert_eq!(ms(audio.started_at), Some(1_795_595_134_607), "startedAt is epoch milliseconds");
    assert_eq!(ms(audio.updated_at), Some(1_795_595_134_607));
    assert!(!audio.is_finished && audio.finished_at.is_none());

    let ebook = by_id(&items, SAMPLE_EBOOK_ID);
    assert_eq!(ebook.format, Format::Ebook);
    assert_eq!(
        ebook.fraction, 0.35,
        "an ebook's progress is ebookProgress (0.35), not progress (which ABS keeps at 0 until finished)"
    );
    assert_eq!(ebook.position, None, "ABS has no page numbers for ebooks");
    assert_eq!(ebook.asin, None);

    for n in 0..12 {
        let seed = SeedBook::generated(n);
        let item = by_id(&items, &generated_item_id(n));
        assert_eq!(item.title, seed.title);
        assert_eq!(item.is_finished, seed.finished, "finished flag of {} must be the server's", seed.title);
        assert_eq!(
            ms(item.finished_at),
            seed.finished_ms,
            "a finished book keeps the server's finish date ({}), never the sync day",
            seed.title
        );
        assert_eq!(ms(item.started_at), Some(seed.started_ms));
        assert!((item.fraction - seed.fraction).abs() < 1e-9, "{}: fraction as the server holds it", seed.title);
        assert_eq!(item.format, if seed.audio { Format::Audio } else { Format::Ebook });
        assert_eq!(item.asin, seed.asin);
        assert_eq!(item.subtitle, seed.subtitle);
    }
    assert!(
        !emu.requests().iter().any(|r| r.contains("items-in-progress")),
        "the 25-item in-progress shortcut must not be used (it drops finished books)"
    );
}

#[tokio::test]
async fn pages_cross_boundaries_to_the_end() {
    let emu = AbsEmulator::builder().books(SeedBook::many(1_203)).start().await.unwrap();
    let abs = keyed(SourceKind::Audiobookshelf, "abs", &emu.base_url(), "abs-test-key");
    let items = abs.list().await.unwrap();
    assert_eq!(items.len(), 1_203, "every item with progress must be listed, across pages");
    let mut ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1_203, "no item may be listed twice across pages");
    assert_eq!(items.iter().filter(|i| i.is_finished).count(), 401, "every third generated book is finished");
    let second_pages = emu.requests().iter().filter(|r| r.contains("/items?") && r.contains("page=1")).count();
    assert!(second_pages >= 1, "802 in-progress items need a second page: {:?}", emu.requests());
}

#[tokio::test]
async fn write_back_sets_the_right_fields_per_format() {
    let emu = AbsEmulator::builder().with_samples().start().await.unwrap();
    let abs = keyed(SourceKind::Audiobookshelf, "abs", &emu.base_url(), "abs-test-key");

    // No listing first: the source must find out the format by itself.
    abs.write_back(SAMPLE_EBOOK_ID, &WriteBack::Progress { fraction: 0.6, position: None }).await.unwrap();
    let p = emu.progress(SAMPLE_EBOOK_ID).unwrap();
    assert_eq!(p["ebookProgress"], 0.6, "ebook progress is written to ebookProgress");
    assert_eq!(p["progress"], 0, "an ebook's progress field stays untouched");

    abs.write_back(SAMPLE_AUDIOBOOK_ID, &WriteBack::Progress { fraction: 0.5, position: None }).await.unwrap();
    let p = emu.progress(SAMPLE_AUDIOBOOK_ID).unwrap();
    assert_eq!(p["progress"], 0.5);
    let t = p["currentTime"].as_f64().unwrap();
    assert!((t - 300.096).abs() < 0.01, "audio currentTime is the fraction of the duration in seconds: {t}");
    assert_eq!(p["isFinished"], false);

    let when = Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).unwrap();
    abs.write_back(SAMPLE_AUDIOBOOK_ID, &WriteBack::Finished { finished_at: Some(when) }).await.unwrap();
    let p = emu.progress(SAMPLE_AUDIOBOOK_ID).unwrap();
    assert_eq!(p["isFinished"], true);
    assert_eq!(p["finishedAt"], when.timestamp_millis(), "the finish date written is the one given");

    let items = abs.list().await.unwrap();
    let audio = by_id(&items, SAMPLE_AUDIOBOOK_ID);
    assert!(audio.is_finished, "a finished write-back must show up in the next listing");
    assert_eq!(audio.finished_at, Some(when));
    assert_eq!(audio.fraction, 1.0);
}

#[tokio::test]
async fn finished_ebook_reports_one_even_with_stale_ebook_progress() {
    let emu = AbsEmulator::builder().with_samples().start().await.unwrap();
    let abs = keyed(SourceKind::Audiobookshelf, "abs", &emu.base_url(), "abs-test-key");
    abs.write_back(SAMPLE_EBOOK_ID, &WriteBack::Finished { finished_at: None }).await.unwrap();
    let p = emu.progress(SAMPLE_EBOOK_ID).unwrap();
    assert_eq!(p["ebookProgress"], 0.35, "like the real server, finishing leaves ebookProgress as it was");
    let items = abs.list().await.unwrap();
    let ebook = by_id(&items, SAMPLE_EBOOK_ID);
    assert!(ebook.is_finished);
    assert_eq!(ebook.fraction, 1.0, "a finished ebook is at 100% whatever ebookProgress says");
    assert!(ebook.finished_at.is_some(), "the server stamped a finish date");
}

#[tokio::test]
async fn wrong_key_is_a_clear_unauthorized_error() {
    let emu = AbsEmulator::builder().with_samples().start().await.unwrap();
    let abs = keyed(SourceKind::Audiobookshelf, "my-abs", &emu.base_url(), "wrong-key");
    let err = abs.list().await.unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized { status: 401, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("my-abs:") && msg.contains("api key"), "the error names the source and what to fix: {msg}");
    assert!(!msg.contains("wrong-key"), "the key must never appear in an error: {msg}");
}
