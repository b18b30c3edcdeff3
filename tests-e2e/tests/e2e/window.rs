//! The window's page and its IPC boundary, through WebDriver.

use serde_json::json;

use crate::support::ui::{invoke, webdriver};
use crate::support::{env, isolated_args};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_shows_the_page_and_answers_ipc() {
    let env = env();
    let dir = tempfile::Builder::new().prefix("hcs-e2e-wd-").tempdir().unwrap();
    let mut args = isolated_args(dir.path());
    // The WebDriver session needs a web view: ask the app to open its window at start.
    args.push("--open-window".into());
    let client = webdriver(&env, args).await;

    let url = client.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some("/shelves"), "Open shelves must land on the shelves route: {url}");
    let body = client.find(fantoccini::Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(!body.trim().is_empty(), "the page must render something");
    std::fs::write(env.out.join("webdriver-shelves.png"), client.screenshot().await.unwrap()).unwrap();

    let status = invoke(&client, "get_status", json!({})).await;
    assert_eq!(status["ok"]["connected"], json!(false), "get_status must answer the window: {status}");
    let refused = invoke(&client, "plugin:autostart|enable", json!({})).await;
    assert!(
        refused.get("err").is_some(),
        "the window must not reach plugin commands its capability does not grant: {refused}"
    );

    // Closing the window here would end the WebDriver session, and WebKitWebDriver then kills
    // the app: the close-keeps-the-tray flow is covered by `tray_menu_drives_the_app` instead.
    client.close().await.unwrap();
}
