//! The moments a user needs the app to be straight with them, clicked through in demo mode: a
//! source that cannot be reached is shown as failing (Sync view, tray line), Settings cannot
//! mislead (the threshold in percent, and a book under it left on Want to Read; unsaved changes
//! asked about, Save tests the source first, a secret without a keyring kept in the private file),
//! and a run reads as one sentence.

use std::time::Duration;

use hardcover_sync_emulators::demo::{self, DemoSpec};
use serde_json::{Value, json};

use crate::journey::tray_menu;
use crate::support::env;
use crate::support::ui::{Ui, xpath_literal};

const SECS: fn(u64) -> Duration = Duration::from_secs;
const BROKEN: &str = "broken-komga";
const TYPED_KEY: &str = "e2e-typed-s3cret-key";

/// The editor's field whose label reads `label`.
fn editor_field(label: &str) -> String {
    format!(
        "//form[@aria-label='Edit source']//label[span[normalize-space(.)={}]]/*[self::input or self::select]",
        xpath_literal(label)
    )
}

async fn type_in_editor(ui: &Ui, label: &str, text: &str) {
    let el = ui.find(&format!("the editor's {label} field"), &editor_field(label)).await;
    el.click().await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_loud_and_settings_cannot_mislead() {
    let env = env();
    let ui = Ui::start(&env, "trust", &["--demo", "--open-window"]).await;
    ui.connect_from_settings().await;
    ui.click_button("Settings").await;

    // The threshold is a percentage: 5 means 5 %.
    let field = ui.type_into("Currently Reading threshold (percent)", "150").await;
    ui.wait_text("Enter a percentage from 0 to 100", SECS(5)).await;
    field.clear().await.unwrap();
    field.send_keys("5").await.unwrap();

    // A source on a server that does not answer, with its key typed (the demo has no keyring).
    ui.click_button("Add source").await;
    ui.click("the Komga kind", &format!("{}/option[@value='komga']", editor_field("Kind"))).await;
    type_in_editor(&ui, "Name", BROKEN).await;
    type_in_editor(&ui, "Server URL", "http://127.0.0.1:9").await;
    type_in_editor(&ui, "Password or API key", TYPED_KEY).await;
    ui.click_button("Done").await;

    // Leaving with the source not saved asks first, and staying keeps it.
    ui.click_button("Sync").await;
    ui.find("the unsaved-changes question", "//*[@data-testid='unsaved-dialog']").await;
    ui.shot("unsaved").await;
    assert!(ui.page_text().await.contains(BROKEN), "asking must not drop the source that was added");
    ui.click_button("Stay").await;
    assert!(
        ui.find_all("//h1[@id='settings-title']").await.len() == 1,
        "Stay must keep the user in Settings with their changes"
    );

    // Save tests the new source first and says what failed.
    ui.click_button("Save").await;
    let failed = ui.text("the failed test", "//*[@data-testid='save-test-failed']").await;
    assert!(failed.contains(BROKEN), "the source that failed its test must be named: {failed}");
    let settings = ui.call("get_settings", json!({})).await;
    assert!(
        !settings["sources"].as_array().unwrap().iter().any(|s| s["name"] == BROKEN),
        "a source that failed its test must not be saved before the user says so: {settings}"
    );
    ui.click_button("Save anyway").await;
    let toast = ui
        .wait_for("the save to say where the secret went", SECS(30), || async {
            let text = ui.page_text().await;
            text.contains("readable only by you").then_some(text)
        })
        .await;
    let path = toast.split("kept in ").nth(1).and_then(|t| t.split(", readable").next()).unwrap().trim().to_owned();
    check_private_secrets_file(std::path::Path::new(&path));
    let settings = ui.call("get_settings", json!({})).await;
    assert_eq!(settings["currentlyReadingThreshold"], json!(0.05), "5 typed in Settings must be saved as 0.05");
    let broken = settings["sources"].as_array().unwrap().iter().find(|s| s["name"] == BROKEN).cloned();
    assert_eq!(broken.map(|s| s["hasSecret"].clone()), Some(json!(true)), "the saved source must have its key");

    // A sync: the other source syncs, this one is shown as failing until it works.
    ui.click_button("Sync").await;
    ui.click_button("Sync now").await;
    let run = ui
        .wait_for("Sync now to record a run", SECS(180), || async {
            let runs = ui.call("sync_runs", json!({"limit": 5})).await;
            runs.as_array()?.iter().find(|r| r["dryRun"] == json!(false) && !r["finishedAt"].is_null()).cloned()
        })
        .await;
    let failing = format!(
        "//li[@data-testid='source-status' and contains(@class,'failing')][.//strong[normalize-space(.)={}]]",
        xpath_literal(BROKEN)
    );
    let row = ui.text("the failing source in the Sync view", &failing).await;
    assert!(row.contains("failing since"), "the Sync view must say since when the source fails: {row}");
    ui.wait_text("1 source failing", SECS(20)).await;
    let first = ui.text("the first source row", "(//li[@data-testid='source-status'])[1]//strong").await;
    assert_eq!(first, BROKEN, "a failing source is listed first");
    let tray = tray_menu();
    let line = tokio::task::block_in_place(|| {
        tray.wait_for_label("the tray to say a source is failing", |l| l.starts_with("1 source failing"))
    });
    assert!(line.contains("last sync"), "the tray line must still say when the last sync ran: {line}");

    // The run in one sentence, whose counts do not overlap.
    let sentence = run["sentence"].as_str().unwrap().to_owned();
    let shown = ui.text("the run's sentence", "//*[@data-testid='run-sentence']").await;
    assert_eq!(shown, sentence, "the Sync view must show the run as its sentence");
    assert!(sentence.ends_with("1 source failing"), "the sentence must name the failing source: {sentence}");
    assert!(
        sentence.contains("book") && !sentence.contains(" 0 "),
        "the sentence must count books and leave out what is zero: {sentence}"
    );
    ui.shot("sync-failing").await;

    // The threshold saved as 5 % decided the demo's two Want to Read books: the one at 3 % stayed,
    // the one at 12 % moved to Currently Reading.
    let pair = demo::threshold_books(&demo::catalog(&DemoSpec::default()).db(), &DemoSpec::default());
    let [low, high] = [&pair[0].title, &pair[1].title];
    let items = ui.call("run_items", json!({"runId": run["runId"]})).await;
    let reason = items.as_array().unwrap().iter().find(|i| &i["title"] == low).map(|i| i["reason"].clone());
    assert_eq!(
        reason,
        Some(json!("below threshold: 3.0% read, Currently Reading starts at 5.0%")),
        "the run must say why the book at 3 % was left alone: {items}"
    );
    ui.call("refresh_library", json!({})).await;
    assert_eq!(status_of(&ui, low).await, json!(1), "a book at 3 % must stay on Want to Read under a 5 % threshold");
    assert_eq!(status_of(&ui, high).await, json!(2), "a book at 12 % must move to Currently Reading");

    ui.close().await;
}

/// The status (shelf) the local copy holds for the book titled `title`, found by the window's
/// search across all shelves.
async fn status_of(ui: &Ui, title: &str) -> Value {
    let hits = ui.call("search_library", json!({"query": title})).await;
    let hit = hits.as_array().unwrap().iter().find(|b| b["title"] == title).cloned();
    hit.unwrap_or_else(|| panic!("{title:?} must be in the library: {hits}"))["statusId"].clone()
}

#[cfg(unix)]
fn check_private_secrets_file(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(path).unwrap_or_else(|e| panic!("the secrets file {} must exist: {e}", path.display()));
    assert_eq!(meta.permissions().mode() & 0o777, 0o600, "the secrets file must be readable by the user only");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(BROKEN) && text.contains(TYPED_KEY), "the typed key must be kept for its source");
}

fn count_of(shelves: &serde_json::Value, id: i64) -> i64 {
    shelves["statuses"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()["count"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shelf_browser_stays_consistent_after_every_action() {
    let env = env();
    let ui = Ui::start(&env, "shelf", &["--demo", "--open-window"]).await;
    ui.connect_from_settings().await;

    // Covers show as the cached files (asset:), without reopening the window.
    ui.click("the Want to Read shelf", "//nav//button[starts-with(@aria-label, 'Want to Read,')]").await;
    ui.find("a cover read from the local cache", "//*[@data-testid='book-list']//img[starts-with(@src, 'asset:')]")
        .await;

    // Bulk: three books moved to Paused at once.
    let before = ui.call("list_shelves", json!({})).await;
    let mut picked = Vec::new();
    for i in 1..=3 {
        let row = ui.find_all(&format!("(//*[@role='option'])[{i}]")).await;
        let id = row[0].attr("id").await.unwrap().unwrap();
        picked.push(id.trim_start_matches("book-").parse::<i64>().unwrap());
        ui.click("a row's checkbox", &format!("(//*[@role='option'])[{i}]//span[contains(@class,'check')]")).await;
    }
    ui.wait_text("3 selected", SECS(10)).await;
    ui.shot("bulk").await;
    ui.click(
        "Paused in the bulk menu",
        "//select[@aria-label='Move selected books to']/option[normalize-space(.)='Paused']",
    )
    .await;
    ui.wait_text("Moved to Paused: 3 books", SECS(60)).await;
    for id in &picked {
        let d = ui.call("book_detail", json!({"bookId": id})).await;
        assert_eq!(d["statusId"], json!(4), "every selected book must be moved: {d}");
        assert!(ui.find_all(&format!("//*[@id='book-{id}']")).await.is_empty(), "a moved book leaves the shelf");
    }
    let after = ui.call("list_shelves", json!({})).await;
    assert_eq!(count_of(&after, 4), count_of(&before, 4) + 3, "Paused must count the three books");
    assert_eq!(count_of(&after, 1), count_of(&before, 1) - 3, "Want to Read must count three fewer");

    // Detail and list agree after a move: the book leaves the list, its read is finished, and no
    // other book takes its highlight.
    ui.click("the Currently Reading shelf", "//nav//button[starts-with(@aria-label, 'Currently Reading,')]").await;
    ui.click("the first book", "(//*[@role='option'])[1]").await;
    let id = ui.find_all("(//*[@role='option'])[1]").await[0].attr("id").await.unwrap().unwrap();
    ui.find("the detail", "//h1[@id='detail-title']").await;
    ui.click(
        "Read in the shelf menu",
        "//select[@aria-label='Shelf (reading status)']/option[normalize-space(.)='Read']",
    )
    .await;
    ui.wait_for("the book to leave Currently Reading", SECS(30), || async {
        ui.find_all(&format!("//*[@id='{id}']")).await.is_empty().then_some(())
    })
    .await;
    let reads = ui
        .wait_for("the detail's read to show it finished", SECS(30), || async {
            let t = ui.text("the detail", "//div[contains(@class,'detail') and @role='dialog']").await;
            (!t.contains("in progress")).then_some(t)
        })
        .await;
    assert!(!reads.is_empty(), "the detail must still show the book");
    assert!(
        ui.find_all("//*[@role='option' and contains(@class,'active')]").await.is_empty(),
        "no other book may be highlighted as if it were the one open"
    );
    ui.shot("moved").await;
    ui.close().await;
}
