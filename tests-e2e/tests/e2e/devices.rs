//! The device on the desk, in demo mode: the demo's virtual Kobo is plugged in a few seconds after
//! start, the tray notices and announces it, the window's prompt shows its first plan and confirms
//! it, the sync runs, and the book detail shows the highlights it sent to the reading journal.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::env;
use crate::support::notifications::Notifications;
use crate::support::ui::Ui;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// The demo Kobo's highlight (see `write_virtual_kobo`).
const HIGHLIGHT: &str = "The lamps were lit one by one along the quay.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_kobo_is_noticed_confirmed_synced_and_its_highlights_shown() {
    let env = env();
    let notifications = Notifications::start();
    let ui = Ui::start(&env, "device", &["--demo", "--open-window"]).await;

    ui.click_button("Settings").await;
    ui.click_button("Connect via browser").await;
    ui.wait_text("Connected as", SECS(60)).await;

    // The virtual Kobo appears; the window asks before anything is sent.
    ui.find("the device prompt", "//*[@data-testid='device-prompt']").await;
    let device = ui
        .wait_for("the Kobo to be known", SECS(60), || async {
            let all = ui.call("devices", json!({})).await;
            all.as_array()?.iter().find(|d| d["connected"] == json!(true)).cloned()
        })
        .await;
    assert_eq!(
        device["confirmed"],
        json!(false),
        "a device first seen is not synced before the user confirms: {device}"
    );
    assert_eq!(device["sources"], json!(["demo-kobo"]), "the demo's kobo source reads it: {device}");
    let notice = tokio::task::block_in_place(|| {
        notifications
            .wait_for("the tray to announce the Kobo", SECS(60), |n| n.summary.starts_with("Kobo eReader connected"))
    });
    assert!(notice.actions.chunks(2).any(|a| a[0] == "default"), "the device notice must be clickable: {notice:?}");
    let runs = ui.call("sync_runs", json!({"limit": 20})).await;
    assert!(
        runs.as_array().unwrap().iter().all(|r| r["dryRun"] == json!(true)),
        "nothing may be synced from a new device before it is confirmed: {runs}"
    );

    ui.click_button("Review the first sync").await;
    ui.find("the first plan", "//*[@data-testid='device-plan']").await;
    let plan = ui.text("the first plan", "//*[@data-testid='device-plan']").await;
    assert!(plan.contains("highlights to add to your reading journal"), "the plan lists the journal writes: {plan}");
    ui.shot("prompt").await;

    ui.click_button("Sync this device").await;
    let run = ui
        .wait_for("the confirmed device's sync to be recorded", SECS(180), || async {
            let runs = ui.call("sync_runs", json!({"limit": 10})).await;
            runs.as_array()?.iter().find(|r| r["dryRun"] == json!(false) && !r["finishedAt"].is_null()).cloned()
        })
        .await;
    assert_eq!(run["errors"], json!(0), "the device's sync must not fail: {run}");
    let items = ui.call("run_items", json!({"runId": run["runId"]})).await;
    let synced = items
        .as_array()
        .unwrap()
        .iter()
        .any(|i: &Value| i["source"] == json!("demo-kobo") && i["result"] == json!("ok") && i["id"] != json!(""));
    assert!(synced, "the Kobo's books must be synced once confirmed: {items}");
    ui.wait_for("the prompt to go once the device is confirmed", SECS(30), || async {
        ui.find_all("//*[@data-testid='device-prompt']").await.is_empty().then_some(())
    })
    .await;

    // The book with highlights, on Currently Reading now: its detail shows them.
    let book_id = ui
        .wait_for("the synced book with highlights in the library", SECS(60), || async {
            let books = ui.call("list_books", json!({"kind": "status", "id": 2})).await;
            for b in books.as_array()? {
                let id = b["bookId"].as_i64()?;
                let h = ui.call("book_highlights", json!({"bookId": id})).await;
                if h.as_array().is_some_and(|a| a.iter().any(|x| x["text"] == json!(HIGHLIGHT))) {
                    return Some(id);
                }
            }
            None
        })
        .await;
    ui.click("the Currently Reading shelf", "//nav//button[starts-with(@aria-label, 'Currently Reading,')]").await;
    ui.click("the Kobo book", &format!("//*[@id='book-{book_id}']")).await;
    ui.find("the highlights", "//*[@data-testid='highlights']").await;
    ui.wait_text(HIGHLIGHT, SECS(30)).await;
    assert!(ui.page_text().await.contains("Quote this in the book club"), "a highlight's note is shown with it");
    ui.shot("highlights").await;
    ui.close().await;
}
