//! The Audiobookshelf samples captured from a real 2.36 server (`../shared/samples/audiobookshelf/`):
//! the parsers read them, and the emulator serves exactly their shapes.
//!
//! The samples live outside the repository. Without them the tests print a warning and pass,
//! except under CI (`CI=true`), where missing samples are a failure.

use std::path::PathBuf;

use hardcover_sync::sources::Format;
use hardcover_sync::sources::audiobookshelf::{
    parse_item, parse_libraries, parse_library_items, parse_me, parse_progress, to_source_item,
};
use hardcover_sync_emulators::audiobookshelf::{AbsEmulator, LIBRARY_ID, SAMPLE_AUDIOBOOK_ID, SAMPLE_EBOOK_ID};
use serde_json::Value;

fn samples_dir() -> Option<PathBuf> {
    super::shared("samples/audiobookshelf")
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn real_server_samples_parse_into_the_expected_items() {
    let Some(dir) = samples_dir() else { return };
    let progress = parse_me(&read(&dir, "me.json")).expect("me.json parses");
    assert_eq!(progress.len(), 2);
    let page = parse_library_items(&read(&dir, "library-items.json")).expect("library-items.json parses");
    assert_eq!(page.total, 2);
    let item = |id: &str| page.results.iter().find(|i| i.id == id).unwrap();
    let prog = |id: &str| progress.iter().find(|p| p.library_item_id == id).unwrap();

    let audio = to_source_item("abs", item(SAMPLE_AUDIOBOOK_ID), prog(SAMPLE_AUDIOBOOK_ID)).unwrap();
    assert_eq!((audio.format, audio.fraction, audio.position), (Format::Audio, 0.4, Some(240.0)));
    assert_eq!(audio.authors, ["Jane Testauthor"], "list items carry authors only as authorName");
    assert_eq!(audio.asin.as_deref(), Some("B0TESTASIN"));
    let ebook = to_source_item("abs", item(SAMPLE_EBOOK_ID), prog(SAMPLE_EBOOK_ID)).unwrap();
    assert_eq!((ebook.format, ebook.fraction), (Format::Ebook, 0.35), "the real ebook's progress is ebookProgress");
    assert_eq!(ebook.isbn13.as_deref(), Some("9780141187761"));

    let after = parse_me(&read(&dir, "me-after-finish.json")).unwrap();
    let finished = to_source_item("abs", item(SAMPLE_EBOOK_ID), after.iter().find(|p| p.is_finished).unwrap()).unwrap();
    assert!(finished.is_finished && finished.fraction == 1.0);
    assert_eq!(
        finished.finished_at.unwrap().timestamp_millis(),
        1_795_595_134_762,
        "finishedAt as the server holds it"
    );

    let finished_page = parse_library_items(&read(&dir, "library-items-finished.json")).unwrap();
    assert_eq!(finished_page.results.len(), 1);
    for name in ["item-audiobook-expanded.json", "item-ebook-expanded.json"] {
        let it = parse_item(&read(&dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(it.media.metadata.authors.as_ref().map(Vec::len), Some(1), "{name}: expanded items carry authors[]");
    }
    for name in ["me-progress-audiobook.json", "me-progress-ebook.json"] {
        parse_progress(&read(&dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let libs = parse_libraries(
        format!("{{\"libraries\":[{}]}}", String::from_utf8_lossy(&read(&dir, "library-create.json"))).as_bytes(),
    )
    .unwrap();
    assert_eq!(libs[0].id, LIBRARY_ID);
}

/// The emulator's answer for `path`, parsed.
async fn get(emu: &AbsEmulator, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", emu.base_url()))
        .bearer_auth("abs-test-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn emulator_serves_the_real_servers_responses() {
    let Some(dir) = samples_dir() else { return };
    let emu = AbsEmulator::builder().with_samples().start().await.unwrap();
    let sample = |name: &str| -> Value { serde_json::from_slice(&read(&dir, name)).unwrap() };

    // Seeded with only the two sample items, the emulator must answer exactly what the server did.
    assert_eq!(get(&emu, "/api/me").await, sample("me.json"), "GET /api/me");
    assert_eq!(
        get(&emu, &format!("/api/libraries/{LIBRARY_ID}/items?limit=50&page=0&sort=media.metadata.title")).await,
        sample("library-items.json"),
        "GET /api/libraries/:id/items"
    );
    assert_eq!(
        get(&emu, &format!("/api/me/progress/{SAMPLE_AUDIOBOOK_ID}")).await,
        sample("me-progress-audiobook.json")
    );
    assert_eq!(get(&emu, &format!("/api/me/progress/{SAMPLE_EBOOK_ID}")).await, sample("me-progress-ebook.json"));
    assert_eq!(
        get(&emu, &format!("/api/items/{SAMPLE_AUDIOBOOK_ID}?expanded=1&include=progress")).await,
        sample("item-audiobook-expanded.json"),
        "GET /api/items/:id expanded (audiobook)"
    );
    assert_eq!(
        get(&emu, &format!("/api/items/{SAMPLE_EBOOK_ID}?expanded=1&include=progress")).await,
        sample("item-ebook-expanded.json"),
        "GET /api/items/:id expanded (ebook)"
    );
    let libs = get(&emu, "/api/libraries").await;
    assert_eq!(libs["libraries"][0], sample("library-create.json"), "a library is served as it was created");

    // Finish the ebook the way the capture did, then compare the finished-filter page.
    reqwest::Client::new()
        .patch(format!("{}/api/me/progress/{SAMPLE_EBOOK_ID}", emu.base_url()))
        .bearer_auth("abs-test-key")
        .json(&serde_json::json!({"isFinished": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&emu, &format!("/api/libraries/{LIBRARY_ID}/items?limit=50&page=0&filter=progress.ZmluaXNoZWQ%3D")).await,
        sample("library-items-finished.json"),
        "the finished filter page"
    );
    let me = get(&emu, "/api/me").await;
    let expected = sample("me-after-finish.json");
    assert_eq!(
        keys(&me["mediaProgress"][1]),
        keys(&expected["mediaProgress"][1]),
        "a finished progress entry keeps the real shape"
    );
    assert_eq!(me["mediaProgress"][1]["progress"], 1, "finishing sets progress to 1, as the real server did");
    assert_eq!(me["mediaProgress"][1]["ebookProgress"], 0.35, "and leaves ebookProgress alone");
    let in_progress = get(&emu, "/api/me/items-in-progress").await;
    assert_eq!(in_progress, sample("me-items-in-progress-after-finish.json"), "items-in-progress after the finish");
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

#[tokio::test]
async fn generated_items_have_the_sample_shape() {
    let Some(dir) = samples_dir() else { return };
    let emu = AbsEmulator::builder().books(hardcover_sync_emulators::seed::SeedBook::many(4)).start().await.unwrap();
    let sample: Value = serde_json::from_slice(&read(&dir, "library-items.json")).unwrap();
    let got = get(&emu, &format!("/api/libraries/{LIBRARY_ID}/items?limit=50&page=0&sort=media.metadata.title")).await;
    let audio_sample = &sample["results"][0];
    let ebook_sample = &sample["results"][1];
    for item in got["results"].as_array().unwrap() {
        let like = if item["media"]["numAudioFiles"] == 1 { audio_sample } else { ebook_sample };
        same_shape(item, like, "item");
    }
}

/// Same keys at every level (values may differ; a null on either side matches anything).
fn same_shape(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let (mut gk, mut wk): (Vec<_>, Vec<_>) = (g.keys().collect(), w.keys().collect());
            gk.sort();
            wk.sort();
            assert_eq!(gk, wk, "{at}: generated items must have the real server's keys");
            for (k, v) in w {
                same_shape(&g[k], v, &format!("{at}.{k}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            if let Some(first) = w.first() {
                for v in g {
                    same_shape(v, first, &format!("{at}[]"));
                }
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (g, w) => assert_eq!(
            std::mem::discriminant(g),
            std::mem::discriminant(w),
            "{at}: {g} and {w} must be the same JSON type"
        ),
    }
}
