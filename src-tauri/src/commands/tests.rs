//! Commands exercised through Tauri's IPC on the mock runtime (no display needed): arguments are
//! deserialized, errors serialized, exactly as the window would see them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use crate::core_bridge::tests::test_core;
use crate::state::{AppState, AutostartSwitch, FolderOpener};

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

struct Harness {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    autostart: Arc<FakeAutostart>,
    opener: Arc<FakeOpener>,
    dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (core, _) = test_core(dir.path());
    let autostart = Arc::new(FakeAutostart::default());
    let opener = Arc::new(FakeOpener::default());
    let app = mock_builder()
        .invoke_handler(super::handler())
        .manage(AppState { core, autostart: autostart.clone(), opener: opener.clone() })
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window");
    Harness { _app: app, webview, autostart, opener, dir }
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
fn unfinished_commands_say_so_with_a_stable_code() {
    let h = harness();
    for (cmd, args) in [
        ("list_shelves", json!({})),
        ("sync_now", json!({})),
        ("connect_browser", json!({})),
        ("book_detail", json!({"bookId": 1})),
    ] {
        let err = h.call(cmd, args).unwrap_err();
        assert_eq!(code(&err), "internal", "{cmd}: {err}");
        assert_eq!(err["message"], "not available yet", "{cmd}");
    }
    let after = h.call("get_status", json!({})).unwrap();
    assert_eq!(after["sync"]["state"], "error", "a failed sync must show in the status");
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
