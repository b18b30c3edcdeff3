//! End-to-end: the built app, headless, driven the way a user would (tray menu, window).
//! Run with `scripts/e2e.sh`.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{AppProcess, TrayMenu, env, isolated_args, screenshot, wait_for, window_titles};

const WINDOW_TITLE: &str = "Hardcover Sync";
const SECS: fn(u64) -> Duration = Duration::from_secs;

/// Every action is in the tray menu (Linux does not deliver icon clicks), in this order.
const MENU: &[&str] = &[
    "Not connected",
    "Not synced yet",
    "Connect Hardcover…",
    "Sync now",
    "Pause sync",
    "Open shelves…",
    "Settings…",
    "Start at login",
    "Quit",
];

#[test]
fn tray_menu_drives_the_app() {
    let env = env();
    let mut app = AppProcess::start(&env, "tray", &[]);
    let menu = TrayMenu::of_pid(app.pid(), SECS(30));

    assert_eq!(menu.labels(), MENU, "the tray menu must offer every action, starting with the status lines");
    let status_items: Vec<bool> =
        menu.items().iter().filter(|i| i.label.is_some()).take(2).map(|i| i.enabled).collect();
    assert_eq!(status_items, vec![false, false], "the status lines are information, not buttons");
    assert!(!window_titles().iter().any(|t| t == WINDOW_TITLE), "the app must start in the tray with no window");

    menu.click("Open shelves…");
    wait_for(SECS(20), "the shelves window to appear", || {
        window_titles().iter().any(|t| t == WINDOW_TITLE).then_some(())
    });
    std::thread::sleep(SECS(1));
    screenshot(&env, "tray-open-shelves");

    support::close_window_like_a_user(WINDOW_TITLE);
    wait_for(SECS(15), "the window to close", || (!window_titles().iter().any(|t| t == WINDOW_TITLE)).then_some(()));
    std::thread::sleep(SECS(1));
    assert!(app.is_running(), "closing the window must leave the app running in the tray");
    assert_eq!(menu.labels(), MENU, "the tray menu must still answer after the window closed");

    menu.click("Pause sync");
    menu.wait_for_label("the menu to offer Resume sync", |l| l == "Resume sync");
    assert!(menu.labels().iter().any(|l| l.ends_with("(paused)")), "the status line must say sync is paused");
    menu.click("Resume sync");
    menu.wait_for_label("the menu to offer Pause sync again", |l| l == "Pause sync");

    menu.click("Sync now");
    let line = menu.wait_for_label("the sync status line to report the run", |l| {
        l.starts_with("Last sync") || l.starts_with("Syncing")
    });
    assert!(!line.contains("Not synced yet"), "{line}");

    // A second launch must not start a second app: it opens the existing instance's window.
    let second =
        std::process::Command::new(&env.app).args(isolated_args(app.dir.path())).output().expect("second launch");
    assert!(second.status.success(), "a second launch must hand over and exit cleanly: {second:?}");
    assert!(app.is_running(), "the first instance must keep running after a second launch");
    wait_for(SECS(20), "a second launch to open the running instance's window", || {
        window_titles().iter().any(|t| t == WINDOW_TITLE).then_some(())
    });
    // Like a user, let the window finish appearing before closing it.
    std::thread::sleep(SECS(1));
    support::close_window_like_a_user(WINDOW_TITLE);
    wait_for(SECS(15), "the window to close again", || {
        (!window_titles().iter().any(|t| t == WINDOW_TITLE)).then_some(())
    });

    menu.click("Open shelves…");
    wait_for(SECS(20), "the window to open again from the tray", || {
        window_titles().iter().any(|t| t == WINDOW_TITLE).then_some(())
    });

    menu.click("Quit");
    let status = app.wait_exit(SECS(15));
    assert!(status.success(), "Quit must exit cleanly, got {status}");
}

async fn webdriver(env: &support::Env, app_args: Vec<String>) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert("tauri:options".into(), json!({"application": env.app, "args": app_args}));
    fantoccini::ClientBuilder::native().capabilities(caps).connect(&env.driver_url).await.unwrap_or_else(|e| {
        panic!("cannot open a WebDriver session at {} (is tauri-driver running?): {e}", env.driver_url)
    })
}

/// Call a command the way the UI does.
async fn invoke(client: &fantoccini::Client, cmd: &str, args: Value) -> Value {
    client
        .execute_async(
            "const [cmd, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(cmd, args).then(ok => done({ok}), err => done({err}));",
            vec![json!(cmd), args],
        )
        .await
        .unwrap_or_else(|e| panic!("invoking {cmd} from the page failed: {e}"))
}

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

/// The demo journey a newcomer takes: demo mode, connect (the demo Hardcover's OAuth), sync, browse,
/// rate, export — through the real app, its real IPC and WebKit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_connects_syncs_browses_and_exports() {
    let env = env();
    let client = webdriver(&env, vec!["--demo".into(), "--open-window".into()]).await;
    // A first sync does real HTTP work against the emulators: give invoked scripts time.
    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(120)), None, None))
        .await
        .unwrap();
    let shot = |name: &str| {
        let (client, out, name) = (client.clone(), env.out.clone(), name.to_owned());
        async move { std::fs::write(out.join(format!("demo-{name}.png")), client.screenshot().await.unwrap()).unwrap() }
    };

    let status = invoke(&client, "get_status", json!({})).await;
    assert_eq!(status["ok"]["demo"], json!(true), "--demo must say so in the status: {status}");
    let connected = invoke(&client, "connect_browser", json!({})).await;
    assert_eq!(
        connected["ok"]["connected"],
        json!(true),
        "Connect in demo mode must complete the OAuth flow: {connected}"
    );
    assert!(connected["ok"]["username"].is_string(), "the status must name the connected user: {connected}");

    let run = invoke(&client, "sync_now", json!({})).await;
    let run = run.get("ok").unwrap_or_else(|| panic!("Sync now must succeed in demo mode: {run}"));
    let changed =
        run["added"].as_i64().unwrap() + run["progressUpdated"].as_i64().unwrap() + run["finished"].as_i64().unwrap();
    assert!(changed > 0, "the first demo sync must push the Audiobookshelf progress to Hardcover: {run}");

    let shelves = invoke(&client, "list_shelves", json!({})).await;
    let statuses = shelves["ok"]["statuses"].as_array().unwrap_or_else(|| panic!("list_shelves: {shelves}"));
    assert_eq!(statuses.len(), 6, "the six statuses must be listed");
    let reading = statuses.iter().find(|s| s["id"] == 2).unwrap();
    assert!(reading["count"].as_i64().unwrap() > 0, "Currently Reading must hold the synced books: {shelves}");
    let books = invoke(&client, "list_books", json!({"kind": "status", "id": 2})).await;
    let books = books["ok"].as_array().unwrap_or_else(|| panic!("list_books: {books}"));
    assert!(!books.is_empty(), "the Currently Reading shelf must list its books");
    let book_id = books[0]["bookId"].clone();

    let rated = invoke(&client, "set_rating", json!({"bookId": book_id, "rating": 3.5})).await;
    assert_eq!(rated["ok"]["rating"], json!(3.5), "a half-star rating must round-trip: {rated}");

    // Reload so the window shows the library as a user now sees it.
    client.refresh().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    shot("shelves").await;

    let csv = env.out.join("demo-export.csv");
    let exported = invoke(
        &client,
        "export_books",
        json!({"selection": {"statusIds": [], "listIds": [], "bookIds": [], "all": true}, "format": "csv", "path": csv}),
    )
    .await;
    let rows = exported["ok"]["rows"].as_i64().unwrap_or_else(|| panic!("export_books: {exported}"));
    let text = std::fs::read_to_string(&csv).expect("the export must write the chosen file");
    assert!(text.starts_with("Book Id,Title,Author,"), "the export must be Goodreads-compatible CSV");
    assert_eq!(text.lines().count() as i64, rows + 1, "one CSV line per exported book plus the header");

    client.close().await.unwrap();
}
