//! `progress --json` with one of each reading server configured, as a user would run it.

use hardcover_sync_emulators::audiobookshelf::{AbsEmulator, SAMPLE_AUDIOBOOK_ID, SAMPLE_EBOOK_ID};
use hardcover_sync_emulators::kavita::KavitaEmulator;
use hardcover_sync_emulators::komga::KomgaEmulator;
use hardcover_sync_emulators::kosync::KosyncEmulator;
use hardcover_sync_emulators::revenge::RevengeEmulator;
use hardcover_sync_emulators::seed::SeedBook;
use serde_json::Value;

use crate::sources::kosync::write_epub;
use crate::support::{Sandbox, hardcover};

const FIELDS: [&str; 16] = [
    "source",
    "id",
    "title",
    "authors",
    "isbn13",
    "isbn10",
    "asin",
    "format",
    "fraction",
    "position",
    "total",
    "unit",
    "finished",
    "started_at",
    "finished_at",
    "updated_at",
];

#[tokio::test]
async fn progress_json_lists_every_server_and_names_the_one_that_failed() {
    let hc = hardcover(1).await;
    let abs = AbsEmulator::builder().api_key("abs-key").with_samples().books(SeedBook::many(3)).start().await.unwrap();
    let komga = KomgaEmulator::builder().api_key("komga-key").books(SeedBook::many(4)).start().await.unwrap();
    let kavita = KavitaEmulator::builder().api_key("kavita-key").books(SeedBook::many(2)).start().await.unwrap();
    let revenge = RevengeEmulator::builder().login("me", "pw").books(SeedBook::many(2)).start().await.unwrap();
    let books = tempfile::tempdir().unwrap();
    let epub = books.path().join("Earthsea.epub");
    write_epub(&epub, "A Wizard of Earthsea", "978-0-547-77374-2");
    let document = hardcover_sync::sources::kosync::hash::partial_md5_file(&epub).unwrap();
    let kosync = KosyncEmulator::builder()
        .user("reader", "pa55")
        .progress("reader", &document, 0.42, 1_717_171_717)
        .start()
        .await
        .unwrap();
    let sources = format!(
        "sources:\n\
         \x20 - {{kind: audiobookshelf, name: abs, url: '{}', api_key: abs-key}}\n\
         \x20 - {{kind: komga, name: komga, url: '{}', api_key: komga-key}}\n\
         \x20 - {{kind: kavita, name: kavita, url: '{}', api_key: kavita-key}}\n\
         \x20 - {{kind: revenge, name: revenge, url: '{}', username: me, password: pw}}\n\
         \x20 - {{kind: kosync, name: koreader, url: '{}', username: reader, password: pa55, library: ['{}']}}\n\
         \x20 - {{kind: komga, name: broken, url: '{}', api_key: wrong}}\n",
        abs.base_url(),
        komga.base_url(),
        kavita.base_url(),
        revenge.base_url(),
        kosync.base_url(),
        books.path().display(),
        komga.base_url(),
    );
    let sb = Sandbox::new(&hc, &sources);
    let (ok, out, err) = sb.cli(&["progress", "--json"]).await;
    assert!(!ok, "a failing source must make the exit status non-zero");
    assert!(err.contains("1 source(s) failed"), "{err}");
    let v: Value = serde_json::from_str(&out).expect("progress --json must print JSON even when a source fails");

    let items = v["items"].as_array().unwrap();
    for item in items {
        for f in FIELDS {
            assert!(item.get(f).is_some(), "every item must carry the field {f:?}: {item}");
        }
    }
    for source in ["abs", "komga", "kavita", "revenge", "koreader"] {
        assert!(items.iter().any(|i| i["source"] == source), "the {source} server's items must be listed");
    }
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "exactly the broken source must be reported: {errors:?}");
    assert_eq!(errors[0]["source"], "broken", "the error must name the failing source");

    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("item {id} must be listed"));
    let audio = by_id(SAMPLE_AUDIOBOOK_ID);
    assert_eq!(audio["unit"], "seconds", "an audiobook's position must be in seconds");
    assert_eq!(audio["asin"], "B0TESTASIN");
    let raw = abs.progress(SAMPLE_AUDIOBOOK_ID).unwrap();
    assert_eq!(
        audio["fraction"].as_f64(),
        raw["progress"].as_f64(),
        "the audiobook's fraction is the server's progress"
    );
    let ebook = by_id(SAMPLE_EBOOK_ID);
    assert_eq!(ebook["unit"], "pages", "an ebook's position must be in pages");
    let raw = abs.progress(SAMPLE_EBOOK_ID).unwrap();
    let want = if raw["isFinished"] == true { Some(1.0) } else { raw["ebookProgress"].as_f64() };
    assert_eq!(ebook["fraction"].as_f64(), want, "an ebook's fraction comes from ebookProgress, not progress");
    let ko = items.iter().find(|i| i["source"] == "koreader").unwrap();
    assert_eq!(ko["title"], "A Wizard of Earthsea", "kosync titles come from the EPUB's metadata");
    assert_eq!(ko["isbn13"], "9780547773742");
    assert_eq!(ko["fraction"].as_f64(), Some(0.42));
}
