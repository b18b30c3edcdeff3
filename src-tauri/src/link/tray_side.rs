//! The tray process's end of the link: starts the window process, answers its calls, and keeps
//! it up to date with the sync.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use tauri::{AppHandle, Manager, Runtime};

use super::{Call, ToTray, ToWindow, decode, encode};
use crate::error::IpcError;
use crate::state::AppState;
use crate::window::Route;

/// The window process, while there is one. Managed state of the tray process only.
pub struct WindowProcess {
    /// What every window process is started with besides the route: the tray's own `--config`,
    /// `--data-dir` and `--demo`, so both open the same files.
    args: Vec<OsString>,
    running: Mutex<Option<Running>>,
}

struct Running {
    pid: u32,
    stdin: ChildStdin,
}

impl WindowProcess {
    pub fn new(args: Vec<OsString>) -> Self {
        Self { args, running: Mutex::new(None) }
    }
}

/// Show the window at `route`: tell the window process, or start one.
pub fn open<R: Runtime>(app: &AppHandle<R>, route: Route) -> Result<(), String> {
    let wp = app.try_state::<WindowProcess>().ok_or("no window process state")?;
    let mut running = wp.running.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = running.as_mut() {
        match r.stdin.write_all(encode(&ToWindow::Open { route }).as_bytes()) {
            Ok(()) => return Ok(()),
            // It is on its way out (window just closed): start a new one.
            Err(e) => tracing::info!(pid = r.pid, "the window process is gone ({e}); starting another"),
        }
    }
    let asked_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program to start the window: {e}"))?;
    let mut child = Command::new(exe)
        .arg("--window-process")
        .args(["--route", route.name()])
        .args(["--asked-at-ms", &asked_at_ms.to_string()])
        .args(&wp.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // Its log lines go where ours go (and to the same log file).
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the window process: {e}"))?;
    let pid = child.id();
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err("the window process has no pipes".into());
    };
    tracing::info!(pid, "window process started at {}", route.fragment());
    let mut r = Running { pid, stdin };
    // The window shows the tray's sync state from its first frame.
    let sync = app.state::<AppState>().core.sync_status();
    let _ = r.stdin.write_all(encode(&ToWindow::Sync { sync }).as_bytes());
    *running = Some(r);
    drop(running);

    let app = app.clone();
    let spawned = std::thread::Builder::new().name("window-link".into()).spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            match decode::<ToTray>(&line) {
                Some(Ok(msg)) => handle(&app, msg),
                Some(Err(e)) => tracing::error!("{e}"),
                None => {}
            }
        }
        let status = child.wait();
        tracing::info!(pid, "window process ended ({status:?})");
        // Forget it, unless a newer one took its place meanwhile.
        let wp = app.state::<WindowProcess>();
        let mut running = wp.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.as_ref().is_some_and(|r| r.pid == pid) {
            *running = None;
        }
    });
    spawned.map(|_| ()).map_err(|e| format!("cannot listen to the window process: {e}"))
}

/// Pass `msg` to the window process, if there is one (no window, nothing to tell).
pub fn send<R: Runtime>(app: &AppHandle<R>, msg: &ToWindow) {
    let Some(wp) = app.try_state::<WindowProcess>() else { return };
    let mut running = wp.running.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = running.as_mut()
        && let Err(e) = r.stdin.write_all(encode(msg).as_bytes())
    {
        tracing::debug!(pid = r.pid, "the window process did not take a message: {e}");
    }
}

fn handle<R: Runtime>(app: &AppHandle<R>, msg: ToTray) {
    let app = app.clone();
    match msg {
        ToTray::Call { id, call } => {
            tauri::async_runtime::spawn(async move {
                let result = answer(&app, call).await;
                send(&app, &ToWindow::Reply { id, result });
            });
        }
        ToTray::Reload => {
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                state.core.reload().await;
                // "Start at login" may have been switched in Settings.
                if let Ok(on) = state.autostart.is_enabled() {
                    crate::tray::set_autostart_checked(&app, on);
                }
                crate::tray::refresh(&app);
            });
        }
    }
}

/// The tray's answer to a call from the window process (what the window's command returns).
pub(crate) async fn answer<R: Runtime>(app: &AppHandle<R>, call: Call) -> Result<serde_json::Value, IpcError> {
    let core = &app.state::<AppState>().core;
    let value = match call {
        Call::SyncNow => serde_json::to_value(core.sync_now().await?),
        Call::SetPaused { paused } => serde_json::to_value(core.set_paused(paused)),
    };
    value.map_err(|e| IpcError::internal(e.to_string()))
}
