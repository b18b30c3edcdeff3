//! Commands exercised through Tauri's IPC on the mock runtime (no display needed): arguments are
//! deserialized, errors serialized, exactly as the window would see them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use crate::save_dialog::{SaveAnswer, SaveRequest};
use crate::state::{AppState, AutostartSwitch, FolderOpener, SaveDialog};
use hardcover_sync_desktop::test_support::test_core;

#[derive(Default)]
struct FakeAutostart(Mutex<bool>);

impl AutostartSwitch for FakeAutostart {
    fn is_enabled(&self) -> Result<bool, String> {
        Ok(*self.0.lock().unwrap())
    }
    fn set_enabled(&self, enabled: bool) -> Result<(), String> {
        *self.0.lock().unwrap() = enabled;
        Ok(())
    }
}

#[derive(Default)]
struct FakeOpener(Mutex<Vec<PathBuf>>);

impl FolderOpener for FakeOpener {
    fn open(&self, dir: &Path) -> Result<(), String> {
        self.0.lock().unwrap().push(dir.to_path_buf());
        Ok(())
    }
}

/// The user at the save dialog: answers with the next queued choice (`None`: cancel), and
/// remembers what each dialog showed.
#[derive(Default)]
struct FakeSaveDialog {
    choices: Mutex<Vec<Option<PathBuf>>>,
    shown: Mutex<Vec<SaveRequest>>,
}

impl FakeSaveDialog {
    fn will_choose(&self, choice: Option<PathBuf>) {
        self.choices.lock().unwrap().push(choice);
    }
}

impl SaveDialog for FakeSaveDialog {
    fn ask(&self, request: SaveRequest, answer: SaveAnswer) {
        self.shown.lock().unwrap().push(request);
        let mut choices = self.choices.lock().unwrap();
        answer(if choices.is_empty() { None } else { choices.remove(0) });
    }
}

struct Harness {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    autostart: Arc<FakeAutostart>,
    opener: Arc<FakeOpener>,
    /// The web pages the app asked the browser to open.
    links: Arc<Mutex<Vec<String>>>,
    save_dialog: Arc<FakeSaveDialog>,
    dir: tempfile::TempDir,
}

fn harness() -> Harness {
    harness_in(tempfile::tempdir().unwrap())
}

/// A harness on `dir`, which may already hold a config.yaml.
fn harness_in(dir: tempfile::TempDir) -> Harness {
    let (core, _) = test_core(dir.path());
    let autostart = Arc::new(FakeAutostart::default());
    let opener = Arc::new(FakeOpener::default());
    let save_dialog = Arc::new(FakeSaveDialog::default());
    let links = Arc::new(Mutex::new(Vec::new()));
    let opened = Arc::clone(&links);
    let app = mock_builder()
        .invoke_handler(super::handler())
        .manage(AppState {
            core,
            autostart: autostart.clone(),
            opener: opener.clone(),
            links: Arc::new(move |url: &url::Url| {
                opened.lock().unwrap().push(url.to_string());
                Ok(())
            }),
            save_dialog: save_dialog.clone(),
            tray: None,
        })
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window");
    Harness { _app: app, webview, autostart, opener, links, save_dialog, dir }
}

impl Harness {
    /// Invoke `cmd` as the window would; Ok(value) or Err({code, message}).
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                // On Linux the mock runtime only accepts IPC from this origin.
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }
}

fn code(err: &Value) -> &str {
    err["code"].as_str().unwrap_or_else(|| panic!("an IPC error must carry a code: {err}"))
}

#[test]
fn get_status_reports_a_fresh_install() {
    let h = harness();
    let s = h.call("get_status", json!({})).unwrap();
    assert_eq!(s["connected"], false, "a fresh install is not connected");
    assert_eq!(
        s["reconnectNeeded"], false,
        "a fresh install has nothing to reconnect, even where the keyring cannot be reached: {s}"
    );
    assert_eq!(s["tokenStore"], "keyring", "the keyring is the default token store");
    assert_eq!(s["sync"]["state"], "idle");
    assert_eq!(s["demo"], false);
    assert!(s.get("token").is_none() && s.get("accessToken").is_none(), "status must never carry a token: {s}");
}

#[test]
fn pausing_shows_in_the_status() {
    let h = harness();
    let s = h.call("set_paused", json!({"paused": true})).unwrap();
    assert_eq!(s["state"], "paused");
    assert_eq!(h.call("get_status", json!({})).unwrap()["sync"]["state"], "paused", "pause must stick");
    assert_eq!(h.call("set_paused", json!({"paused": false})).unwrap()["state"], "idle");
}

#[test]
fn the_tray_answers_the_window_process_like_the_commands_would() {
    use hardcover_sync_desktop::link::Call;
    use hardcover_sync_desktop::tray::window_process::answer;
    use tauri::Manager;
    let h = harness();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let paused = rt.block_on(answer(&h._app.state::<AppState>().core, Call::SetPaused { paused: true })).unwrap();
    assert_eq!(paused["state"], "paused", "the window's Pause must pause the tray's sync: {paused}");
    assert_eq!(h.call("get_status", json!({})).unwrap()["sync"]["state"], "paused");
    let not_connected = rt.block_on(answer(&h._app.state::<AppState>().core, Call::SyncNow)).unwrap_err();
    assert_eq!(
        not_connected.code,
        crate::error::ErrorCode::NotConnected,
        "the window must get the tray's error code, not a generic one: {not_connected:?}"
    );
}

#[test]
fn settings_round_trip_through_the_config_file() {
    let h = harness();
    let mut s = h.call("get_settings", json!({})).unwrap();
    assert_eq!(s["interval"], "30m");
    assert_eq!(s["startAtLogin"], false, "start at login is off by default");
    s["interval"] = json!("2h");
    s["notifications"]["failures"] = json!(false);
    s["startAtLogin"] = json!(true);
    s["sources"] = json!([{"kind": "audiobookshelf", "name": "abs", "url": "http://abs.local:13378"}]);
    let saved = h.call("save_settings", json!({"settings": s})).unwrap();
    assert_eq!(saved["interval"], "2h");
    assert_eq!(saved["sources"][0]["name"], "abs");
    assert_eq!(saved["sources"][0]["hasSecret"], false);
    assert!(*h.autostart.0.lock().unwrap(), "saving startAtLogin=true must turn the login item on");
    let text = std::fs::read_to_string(h.dir.path().join("config.yaml")).unwrap();
    assert!(
        text.contains("interval: 2h") && text.contains("failures: false"),
        "the file must hold the change:\n{text}"
    );
    assert_eq!(h.call("get_settings", json!({})).unwrap()["interval"], "2h", "a reload must show what was saved");
}

#[test]
fn bad_settings_are_invalid_input() {
    let h = harness();
    let mut s = h.call("get_settings", json!({})).unwrap();
    s["interval"] = json!("soon");
    let err = h.call("save_settings", json!({"settings": s})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "{err}");
    assert!(err["message"].as_str().unwrap().contains("interval"), "the message must name the field: {err}");
    let err = h.call("save_settings", json!({"settings": {"interval": 5}})).unwrap_err();
    assert!(err.is_string() || err.is_object(), "a malformed payload must be refused, not panic: {err}");
}

#[test]
fn autostart_and_logs_folder() {
    let h = harness();
    assert_eq!(h.call("set_autostart", json!({"enabled": true})).unwrap(), true);
    assert!(*h.autostart.0.lock().unwrap());
    assert_eq!(h.call("set_autostart", json!({"enabled": false})).unwrap(), false);
    h.call("open_logs_folder", json!({})).unwrap();
    let opened = h.opener.0.lock().unwrap().clone();
    assert_eq!(opened, vec![h.dir.path().join("logs")], "the logs folder of this instance must be opened");
    assert!(opened[0].is_dir(), "the folder must exist before it is shown");
}

#[test]
fn connecting_in_the_browser_needs_a_client_id_and_cancel_is_harmless() {
    // The config falls back to this variable; with it set, "no client id" cannot be tested (and the
    // real opener would start a browser). Said loudly rather than skipped.
    assert!(std::env::var_os("HARDCOVER_CLIENT_ID").is_none(), "unset HARDCOVER_CLIENT_ID to run this test");
    let h = harness();
    let err = h.call("connect_browser", json!({})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "without an OAuth client id the user must configure one: {err}");
    assert!(err["message"].as_str().unwrap().contains("client_id"), "the message names the setting: {err}");
    assert_eq!(h.call("cancel_connect", json!({})).unwrap(), Value::Null, "cancelling nothing is not an error");
}

#[test]
fn a_fresh_install_has_empty_shelves_and_no_books() {
    // A file token store: the default keyring would make the answer depend on this machine's.
    let dir = tempfile::tempdir().unwrap();
    let yaml = "scrobbling:\n  hardcover:\n    api_url: http://127.0.0.1:9/v1/graphql\n    token_store: file\n";
    std::fs::write(dir.path().join("config.yaml"), yaml).unwrap();
    let h = harness_in(dir);
    let shelves = h.call("list_shelves", json!({})).unwrap();
    let statuses = shelves["statuses"].as_array().expect("statuses must be a list");
    assert_eq!(statuses.len(), 6, "all six reading statuses are always shown: {shelves}");
    assert!(statuses.iter().all(|s| s["count"] == 0), "nothing is counted before an import: {shelves}");
    assert_eq!(shelves["updatedAt"], Value::Null, "a library never imported has no update time");
    let err = h.call("book_detail", json!({"bookId": 1})).unwrap_err();
    assert_eq!(code(&err), "not_connected", "a book not in the cache needs Hardcover, hence a connection: {err}");
    let err = h.call("refresh_library", json!({})).unwrap_err();
    assert_eq!(code(&err), "not_connected", "refreshing before connecting must ask to connect: {err}");
    let err = h.call("sync_now", json!({})).unwrap_err();
    assert_eq!(code(&err), "not_connected", "syncing before connecting must ask to connect: {err}");
    let after = h.call("get_status", json!({})).unwrap();
    assert_eq!(after["sync"]["state"], "error", "a failed sync must show in the status");
    assert_eq!(h.call("sync_runs", json!({"limit": 10})).unwrap(), json!([]), "no run was recorded");
    let err = h.call("run_items", json!({"runId": 42})).unwrap_err();
    assert_eq!(code(&err), "not_found", "an unknown run is not_found: {err}");
}

const TOKEN: &str = "hc_pat_shell_wiring_test_0001";

/// A Hardcover emulator on loopback (on its own runtime: the mock IPC calls block) and a harness
/// whose config points at it with a file token store, so no test touches the user's keyring.
fn connected_setup() -> (tokio::runtime::Runtime, hardcover_sync_emulators::hardcover::RunningHardcover, Harness) {
    use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, SeedSpec};
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let hc = rt
        .block_on(
            HardcoverEmulator::builder()
                .library(SeedSpec { books: 12, ..SeedSpec::default() })
                .user("reader")
                .personal_token(TOKEN, ALL_SCOPES)
                .start(),
        )
        .expect("the Hardcover emulator must start on loopback");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        format!("scrobbling:\n  hardcover:\n    api_url: {}\n    token_store: file\n", hc.graphql_url()),
    )
    .unwrap();
    (rt, hc, harness_in(dir))
}

#[test]
fn a_window_started_ahead_asks_hardcover_nothing_until_it_is_shown() {
    use tauri::Manager;
    let (_rt, hc, h) = connected_setup();
    h.call("connect_token", json!({"token": TOKEN})).unwrap();
    h.call("refresh_library", json!({})).unwrap();
    h._app.manage(crate::window::OpenedAt::new(None));
    let before = hc.stats().requests;
    let shelves = h.call("list_shelves", json!({})).unwrap();
    assert!(shelves["updatedAt"].is_string(), "the local copy is shown at once: {shelves}");
    std::thread::sleep(super::library::REFRESH_AFTER + std::time::Duration::from_millis(700));
    assert_eq!(
        hc.stats().requests,
        before,
        "a hidden window nobody asked for (the menu may have been opened for Sync now) must not spend the user's requests"
    );
    // The click on "Open shelves…": the tray's `Open` (a tray that sent no time still counts).
    let link = crate::tray_link::TrayLink::with_writer(Box::new(|_| Ok(())));
    let open = hardcover_sync_desktop::link::ToWindow::Open { route: crate::window::Route::Shelves, asked_at_ms: None };
    crate::tray_link::handle(h._app.handle(), &link, open);
    assert!(h._app.state::<crate::window::OpenedAt>().asked_yet(), "a window the tray showed has been asked for");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while hc.stats().requests == before {
        assert!(std::time::Instant::now() < until, "once shown, the window brings its shelves up to date");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_window_started_ahead_imports_a_library_never_imported_only_once_it_is_shown() {
    use tauri::Manager;
    let (_rt, hc, h) = connected_setup();
    h.call("connect_token", json!({"token": TOKEN})).unwrap();
    h._app.manage(crate::window::OpenedAt::new(None));
    let before = hc.stats().requests;
    let handle = h._app.handle().clone();
    let (shelves, requests_while_hidden) = std::thread::scope(|scope| {
        let shower = scope.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(1000));
            let requests = hc.stats().requests;
            handle.state::<crate::window::OpenedAt>().asked(std::time::SystemTime::now());
            requests
        });
        let shelves = h.call("list_shelves", json!({})).unwrap();
        (shelves, shower.join().unwrap())
    });
    assert_eq!(requests_while_hidden, before, "a hidden window nobody asked for must not import the library");
    assert!(
        shelves["updatedAt"].is_string(),
        "once shown, the first import runs and its shelves are answered: {shelves}"
    );
}

#[test]
fn connect_browse_sync_and_disconnect_through_ipc() {
    let (_rt, _hc, h) = connected_setup();
    let err = h.call("connect_token", json!({"token": "hc_pat_not_the_right_one"})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "a token Hardcover rejects is the user's to fix: {err}");
    assert!(!err.to_string().contains("hc_pat_not_the_right_one"), "errors never echo a token: {err}");

    let s = h.call("connect_token", json!({"token": TOKEN})).unwrap();
    assert_eq!(s["connected"], true, "a good token must connect: {s}");
    assert_eq!(s["username"], "reader", "the status names the connected user: {s}");
    assert!(!s.to_string().contains(TOKEN), "the status never carries the token");
    assert_eq!(h.call("get_status", json!({})).unwrap()["connected"], true, "the connection must stick");

    let shelves = h.call("refresh_library", json!({})).unwrap();
    assert!(shelves["updatedAt"].is_string(), "a refreshed library has an update time: {shelves}");
    let total: u64 = shelves["statuses"].as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert!(total > 0, "the emulator's seeded books must be counted after a refresh: {shelves}");
    let shelf = shelves["statuses"].as_array().unwrap().iter().find(|s| s["count"].as_u64() > Some(0)).unwrap();
    let rows = h.call("list_books", json!({"kind": "status", "id": shelf["id"]})).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len() as u64, shelf["count"].as_u64().unwrap(), "a shelf lists as many books as it counts");
    assert_eq!(rows[0]["statusId"], shelf["id"], "a status shelf lists books of that status");
    let detail = h.call("book_detail", json!({"bookId": rows[0]["bookId"]})).unwrap();
    assert_eq!(detail["bookId"], rows[0]["bookId"], "the detail is of the book asked for: {detail}");
    assert!(detail["reads"].is_array() && detail["linked"].is_array(), "detail fields are camelCase lists");

    // Open on Hardcover: the page sends the id, the core makes the address from the book's slug.
    let url = detail["hardcoverUrl"].as_str().expect("a seeded book has a page on hardcover.app").to_owned();
    assert!(url.starts_with("https://hardcover.app/books/"), "the link goes to the book's page: {url}");
    h.call("open_on_hardcover", json!({"bookId": rows[0]["bookId"]})).unwrap();
    assert_eq!(*h.links.lock().unwrap(), vec![url], "the browser is asked to open exactly the book's page");
    let err = h.call("open_on_hardcover", json!({"bookId": 987_654_321})).unwrap_err();
    assert_eq!(code(&err), "not_found", "a book not in the library has no page to open: {err}");

    // Search across all shelves: one call, matches from more than one shelf, each naming its status.
    let word = rows[0]["title"].as_str().unwrap().split_whitespace().last().unwrap().to_owned();
    let hits = h.call("search_library", json!({"query": word})).unwrap();
    let hits = hits.as_array().unwrap();
    assert!(
        hits.iter().any(|b| b["bookId"] == rows[0]["bookId"]),
        "a search across all shelves finds the book by a word of its title: {hits:?}"
    );
    assert!(hits.iter().all(|b| b["statusId"].is_number() || !b["listIds"].as_array().unwrap().is_empty()));

    let csv = h.dir.path().join("books.csv");
    h.save_dialog.will_choose(Some(csv.clone()));
    let out = h.call("export_books", json!({"selection": {"all": true}, "format": "csv"})).unwrap();
    assert_eq!(out["rows"].as_u64(), Some(total), "an export of everything has one row per book: {out}");
    assert_eq!(out["path"].as_str(), Some(csv.display().to_string().as_str()), "the result names the chosen file");
    let text = std::fs::read_to_string(&csv).expect("the export must be written where the user chose in the dialog");
    assert_eq!(text.lines().count() as u64, total + 1, "a header and one line per book:\n{text}");
    {
        let shown = h.save_dialog.shown.lock().unwrap();
        assert_eq!(shown[0].title, "Export books", "the dialog says what it is for");
        assert!(
            shown[0].file_name.starts_with("hardcover-library-") && shown[0].file_name.ends_with(".csv"),
            "the dialog suggests a dated name with the format's extension: {:?}",
            shown[0]
        );
        assert!(shown[0].folder.is_absolute(), "the dialog opens in the user's folder: {:?}", shown[0]);
    }
    // A path the page sends is not obeyed: the file is the one chosen in the dialog.
    let chosen = h.dir.path().join("chosen.csv");
    let planted = h.dir.path().join("planted.csv");
    h.save_dialog.will_choose(Some(chosen.clone()));
    let args = json!({"selection": {"all": true}, "format": "csv", "path": planted.display().to_string()});
    h.call("export_books", args).unwrap();
    assert!(chosen.is_file(), "the export goes to the file chosen in the save dialog");
    assert!(!planted.exists(), "a path named by the page must never be written");
    // Cancelling the dialog exports nothing and is not an error.
    let cancelled = h.call("export_books", json!({"selection": {"all": true}, "format": "json"})).unwrap();
    assert_eq!(cancelled, Value::Null, "a cancelled save dialog returns nothing: {cancelled}");
    let nowhere = h.dir.path().join("no-such-folder").join("books.json");
    h.save_dialog.will_choose(Some(nowhere));
    let err = h.call("export_books", json!({"selection": {"all": true}, "format": "json"})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "an unwritable path is the user's to change: {err}");
    assert!(err["message"].as_str().unwrap().contains("no-such-folder"), "the message names the path: {err}");
    assert_eq!(h.save_dialog.shown.lock().unwrap().len(), 4, "every export asks the user where to save");

    // No reading server is configured: the run is empty, but real, recorded and shown.
    let run = h.call("sync_now", json!({})).unwrap();
    assert!(run["runId"].as_i64().is_some_and(|id| id > 0), "a sync returns its recorded run: {run}");
    assert!(run["finishedAt"].is_string(), "a finished run has a finish time: {run}");
    let s = h.call("get_status", json!({})).unwrap();
    assert_eq!(s["sync"]["state"], "idle", "a successful run leaves the sync idle: {s}");
    assert_eq!(s["sync"]["lastSummary"]["runId"], run["runId"], "the status shows the last run");
    let runs = h.call("sync_runs", json!({"limit": 5})).unwrap();
    assert_eq!(runs[0]["runId"], run["runId"], "the history lists the run, newest first: {runs}");
    assert_eq!(h.call("run_items", json!({"runId": run["runId"]})).unwrap(), json!([]), "an empty run has no items");

    let out = h.call("disconnect", json!({})).unwrap();
    assert!(out["message"].as_str().is_some_and(|m| !m.is_empty()), "disconnect tells the user what happened");
    let s = h.call("get_status", json!({})).unwrap();
    assert_eq!(s["connected"], false, "after disconnect the status must say so: {s}");
    assert_eq!(s["username"], Value::Null, "no user is shown once disconnected");
}

#[test]
fn input_is_checked_before_anything_runs() {
    let h = harness();
    let err = h.call("set_status", json!({"bookId": 1, "statusId": 9})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "{err}");
    let err = h.call("set_rating", json!({"bookId": 1, "rating": 4.3})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "a rating must be in half stars: {err}");
    let err = h.call("connect_token", json!({"token": "  "})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "{err}");
    assert!(!err.to_string().contains("hc_pat"), "errors never echo a token");
}

#[test]
fn test_source_lists_a_reading_server_once() {
    use hardcover_sync_emulators::audiobookshelf::AbsEmulator;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let abs = rt
        .block_on(AbsEmulator::builder().api_key("abs-test-key").with_samples().start())
        .expect("the Audiobookshelf emulator must start on loopback");
    let dir = tempfile::tempdir().unwrap();
    let yaml = "scrobbling:\n  hardcover:\n    api_url: http://127.0.0.1:9/v1/graphql\n    token_store: file\n";
    std::fs::write(dir.path().join("config.yaml"), yaml).unwrap();
    let h = harness_in(dir);
    let source = |secret: &str| json!({"source": {"kind": "audiobookshelf", "name": "abs", "url": abs.base_url(), "secret": secret}});

    let ok = h.call("test_source", source("abs-test-key")).unwrap();
    assert_eq!(ok["ok"], true, "the right key must list the server: {ok}");
    assert!(ok["items"].as_u64().is_some_and(|n| n > 0), "the sample library has items with progress: {ok}");

    let bad = h.call("test_source", source("wrong-key")).unwrap();
    assert_eq!(bad["ok"], false, "a rejected key is a failed test, shown to the user: {bad}");
    assert!(!bad["message"].as_str().unwrap_or("").is_empty(), "a failed test says why: {bad}");
    assert!(!bad.to_string().contains("wrong-key"), "the answer never echoes the secret: {bad}");

    let err = h.call("test_source", json!({"source": {"kind": "komga", "name": "k", "url": "not a url"}})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "a malformed URL is the user's to fix: {err}");
}

#[test]
fn preview_then_sync_a_reading_server() {
    // Held to the end: the servers stop when it is dropped.
    let servers = hardcover_sync_desktop::test_support::hardcover_and_audiobookshelf(TOKEN, 6);
    let h = harness_in(servers.dir);
    h.call("connect_token", json!({"token": TOKEN})).unwrap();

    let plan = h.call("sync_preview", json!({})).unwrap();
    assert_eq!(plan["changes"], json!([]), "unmatched items are not changes the sync would make: {plan}");
    assert_eq!(
        plan["rest"], "2 not matched to a Hardcover book",
        "the samples are not in the seeded Hardcover library, so the preview counts them as unmatched: {plan}"
    );
    assert_eq!(h.call("sync_runs", json!({"limit": 5})).unwrap()[0]["dryRun"], true, "a preview is a dry run");

    let run = h.call("sync_now", json!({})).unwrap();
    assert_eq!(run["unmatched"], 2, "the real run counts the same two unmatched items: {run}");
    let items = h.call("run_items", json!({"runId": run["runId"]})).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 2, "the run lists each item it looked at: {items}");
    let unmatched = h.call("unmatched_items", json!({})).unwrap();
    let unmatched = unmatched.as_array().unwrap();
    assert_eq!(unmatched.len(), 2, "both items wait for a link: {unmatched:?}");
    let ebook = unmatched.iter().find(|u| u["title"] == "Tiny Ebook").expect("the item is named by its title");

    // Linking by hand takes the item out of the list, and the next run no longer skips it.
    let shelves = h.call("refresh_library", json!({})).unwrap();
    let shelf = shelves["statuses"].as_array().unwrap().iter().find(|s| s["count"].as_u64() > Some(0)).unwrap();
    let book = h.call("list_books", json!({"kind": "status", "id": shelf["id"]})).unwrap()[0]["bookId"].clone();
    h.call("link_item", json!({"source": "abs", "itemId": ebook["itemId"], "bookId": book, "editionId": null}))
        .unwrap();
    let left = h.call("unmatched_items", json!({})).unwrap();
    assert_eq!(left.as_array().unwrap().len(), 1, "a linked item is no longer unmatched: {left}");
    let run = h.call("sync_now", json!({})).unwrap();
    assert_eq!(run["unmatched"], 1, "only the unlinked item is still unmatched: {run}");
    let items = h.call("run_items", json!({"runId": run["runId"]})).unwrap();
    let linked = items.as_array().unwrap().iter().find(|i| i["id"] == ebook["itemId"]).unwrap();
    assert!(
        !linked["reason"].as_str().unwrap_or("").contains("unmatched"),
        "the linked item must be synced as the chosen book: {linked}"
    );
    let err = h.call("link_item", json!({"source": "", "itemId": "x", "bookId": 1, "editionId": null})).unwrap_err();
    assert_eq!(code(&err), "invalid_input", "{err}");
}
