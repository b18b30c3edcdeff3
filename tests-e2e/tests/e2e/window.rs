//! The window's page and its IPC boundary, through WebDriver.

use serde_json::json;

use crate::support::ui::Ui;
use crate::support::{env, isolated_args};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_shows_the_page_and_answers_ipc() {
    let env = env();
    let dir = tempfile::Builder::new().prefix("hcs-e2e-wd-").tempdir().unwrap();
    let mut args = isolated_args(dir.path());
    // The WebDriver session needs a web view: ask the app to open its window at start.
    args.push("--open-window".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ui = Ui::start(&env, "webdriver", &args).await;

    let url = ui.client.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some("/shelves"), "Open shelves must land on the shelves route: {url}");
    assert!(!ui.page_text().await.trim().is_empty(), "the page must render something");
    ui.shot("shelves").await;

    let status = ui.invoke("get_status", json!({})).await;
    assert_eq!(status["ok"]["connected"], json!(false), "get_status must answer the window: {status}");
    let refused = ui.invoke("plugin:window|close", json!({"label": "main"})).await;
    assert!(
        refused.get("err").is_some(),
        "the window must not reach plugin commands its capability does not grant: {refused}"
    );
    for dialog in ["plugin:dialog|open", "plugin:dialog|save"] {
        let refused = ui.invoke(dialog, json!({"options": {}})).await;
        assert!(
            refused.get("err").is_some(),
            "the page opens no dialog itself (the export's save dialog is the window process's): {dialog}: {refused}"
        );
    }

    // Closing the window here would end the WebDriver session, and WebKitWebDriver then kills
    // the app: the close-keeps-the-tray flow is covered by `tray_menu_drives_the_app` instead.
    ui.close().await;
}
