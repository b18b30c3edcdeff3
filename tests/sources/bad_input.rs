use std::time::Instant;

use hardcover_sync::config::SourceKind;
use hardcover_sync::secret::Secret;
use hardcover_sync::sources::{self, ProgressSource, SourceError};
use hardcover_sync_emulators::audiobookshelf::{AbsEmulator, SAMPLE_AUDIOBOOK_ID, SAMPLE_EBOOK_ID};
use hardcover_sync_emulators::kavita::KavitaEmulator;
use hardcover_sync_emulators::komga::{KomgaEmulator, book_id};
use hardcover_sync_emulators::revenge::RevengeEmulator;
use hardcover_sync_emulators::seed::{Fault, SeedBook};

use super::{by_id, config, dead_url, keyed, store};

#[tokio::test]
async fn one_failing_source_does_not_stop_the_others() {
    let abs = AbsEmulator::builder().with_samples().start().await.unwrap();
    let komga = KomgaEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    komga.set_fault(Fault::Html);
    let kavita = KavitaEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    kavita.set_fault(Fault::TruncatedJson);
    let revenge = RevengeEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    revenge.set_fault(Fault::ServerError);
    let mut rv_config = config(SourceKind::Revenge, "revenge", &revenge.base_url());
    rv_config.username = Some("reader".into());
    rv_config.password = Some(Secret::new("revenge-pass"));

    let list: Vec<Box<dyn ProgressSource>> = vec![
        keyed(SourceKind::Audiobookshelf, "abs", &abs.base_url(), "abs-test-key"),
        keyed(SourceKind::Komga, "komga", &komga.base_url(), "komga-test-key"),
        keyed(SourceKind::Kavita, "kavita", &kavita.base_url(), "kavita-test-key"),
        keyed(SourceKind::Audiobookshelf, "abs-down", &dead_url(), "k"),
        sources::build(&rv_config, None, store()).unwrap(),
    ];
    let report = sources::collect(&list).await;
    assert_eq!(report.items.len(), 2, "the healthy source still reports its items");
    assert!(report.items.iter().all(|i| i.source == "abs"));
    let error = |name: &str| {
        report
            .errors
            .iter()
            .find(|e| e.source == name)
            .unwrap_or_else(|| panic!("{name} must report an error: {:?}", report.errors))
            .message
            .clone()
    };
    assert_eq!(report.errors.len(), 4, "one error per failing source: {:?}", report.errors);
    let m = error("komga");
    assert!(m.starts_with("komga:") && m.contains("HTML"), "HTML instead of JSON is named as such: {m}");
    let m = error("kavita");
    assert!(m.contains("truncated"), "a cut-off body is called truncated: {m}");
    let m = error("abs-down");
    assert!(
        m.contains("cannot reach") && m.contains("connection refused"),
        "an unreachable server says what to check: {m}"
    );
    let m = error("revenge");
    assert!(m.contains("HTTP 500"), "a server error names its status: {m}");

    let json = report.to_json();
    assert_eq!(json["items"].as_array().unwrap().len(), 2);
    assert_eq!(json["errors"].as_array().unwrap().len(), 4);
    assert!(!json.to_string().contains("abs-test-key"), "no key in the JSON view");
}

#[tokio::test]
async fn server_errors_name_the_status_and_source() {
    let komga = KomgaEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    komga.set_fault(Fault::ServerError);
    let err = keyed(SourceKind::Komga, "komga", &komga.base_url(), "komga-test-key").list().await.unwrap_err();
    assert!(matches!(err, SourceError::Http { status: 500, .. }), "{err:?}");
    assert!(err.to_string().starts_with("komga: HTTP 500"), "{err}");
}

#[tokio::test]
async fn absurd_values_are_rejected_per_item_with_the_rest_kept() {
    let emu = AbsEmulator::builder().with_samples().books(SeedBook::many(4)).start().await.unwrap();
    emu.patch_progress_raw(SAMPLE_AUDIOBOOK_ID, serde_json::json!({"progress": 7, "currentTime": 4200}));
    emu.patch_progress_raw(SAMPLE_EBOOK_ID, serde_json::json!({"startedAt": -5, "lastUpdate": "soon"}));
    let items = keyed(SourceKind::Audiobookshelf, "abs", &emu.base_url(), "abs-test-key").list().await.unwrap();
    assert!(
        !items.iter().any(|i| i.id == SAMPLE_AUDIOBOOK_ID),
        "a fraction of 7 says nothing about where the listener is: the item is skipped"
    );
    assert_eq!(items.len(), 5, "the other items are kept");
    let ebook = by_id(&items, SAMPLE_EBOOK_ID);
    assert_eq!(ebook.started_at, None, "a negative time is no date");
    assert_eq!(ebook.updated_at, None, "a non-numeric time is no date");
    assert!(items.iter().all(|i| (0.0..=1.0).contains(&i.fraction)), "every listed fraction is within 0..1");

    let komga = KomgaEmulator::builder().books(SeedBook::many(3)).start().await.unwrap();
    komga.patch_raw(&book_id(0), serde_json::json!({"page": 5000}), None);
    komga.patch_raw(&book_id(1), serde_json::json!({"page": -3}), None);
    let items = keyed(SourceKind::Komga, "komga", &komga.base_url(), "komga-test-key").list().await.unwrap();
    assert_eq!(items.len(), 1, "a page past the end and a negative page are rejected, the good book kept");
    assert_eq!(items[0].id, book_id(2));
}

#[tokio::test]
async fn missing_secret_is_a_clear_config_error() {
    let err = sources::build(&config(SourceKind::Komga, "k", "http://127.0.0.1:9"), None, store()).err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, SourceError::Config { .. }), "{err:?}");
    assert!(msg.contains("api_key") && msg.contains("keyring"), "the error says where the key goes: {msg}");
    let mut c = config(SourceKind::Kosync, "ko", "http://127.0.0.1:9");
    c.username = Some("u".into());
    let msg = sources::build(&c, None, store()).err().unwrap().to_string();
    assert!(msg.contains("password"), "{msg}");
}

#[tokio::test]
async fn a_fifty_thousand_item_library_is_paged_to_the_end() {
    let emu = KomgaEmulator::builder().books(SeedBook::many(50_000)).start().await.unwrap();
    let komga = keyed(SourceKind::Komga, "komga", &emu.base_url(), "komga-test-key");
    let started = Instant::now();
    let items = komga.list().await.unwrap();
    assert_eq!(items.len(), 50_000, "all 50,000 items, none lost at page boundaries");
    assert_eq!(emu.requests().len(), 100, "500 to a page: 100 requests, not one per item");
    eprintln!("50,000 Komga books listed in {:?}", started.elapsed());
}
