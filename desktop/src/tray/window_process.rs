//! The tray process's end of the link (see `link`): starts the window process, passes on what it
//! says, and keeps it up to date with the sync.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::core_bridge::Core;
use crate::error::IpcError;
use crate::link::{Call, ToTray, ToWindow, decode, encode};
use crate::route::Route;

/// The window process, while there is one.
pub struct WindowProcess {
    /// The window binary: `hardcover-sync-window`, beside the tray's.
    program: std::io::Result<PathBuf>,
    /// What every window process is started with besides the route: the tray's own `--config`,
    /// `--data-dir` and `--demo`, so both open the same files.
    args: Vec<OsString>,
    /// Shared with the thread that reads the process, which forgets it when it ends.
    running: Arc<Mutex<Option<Running>>>,
}

struct Running {
    pid: u32,
    stdin: ChildStdin,
}

impl WindowProcess {
    pub fn new(program: std::io::Result<PathBuf>, args: Vec<OsString>) -> Self {
        Self { program, args, running: Arc::default() }
    }

    /// Show the window at `route`: tell the window process, or start one, whose first message is
    /// `first` (the sync state, so the window shows it from its first frame). Its messages go to
    /// `on_message`, on a thread of their own, until it ends; `on_failure` hears why, if it ends
    /// with a failure (it could not show its window, or crashed).
    pub fn open(
        &self,
        route: Route,
        first: &ToWindow,
        on_message: impl Fn(ToTray) + Send + 'static,
        on_failure: impl FnOnce(String) + Send + 'static,
    ) -> Result<(), String> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = running.as_mut() {
            match r.stdin.write_all(encode(&ToWindow::Open { route }).as_bytes()) {
                Ok(()) => return Ok(()),
                // It is on its way out (window just closed): start a new one.
                Err(e) => tracing::info!(pid = r.pid, "the window process is gone ({e}); starting another"),
            }
        }
        let program = self.program.as_ref().map_err(|e| format!("cannot open the window: {e}"))?;
        let asked_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let mut child = Command::new(program)
            .args(["--route", route.name()])
            .args(["--asked-at-ms", &asked_at_ms.to_string()])
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Its log lines go where ours go (and to the same log file).
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the window process {}: {e}", program.display()))?;
        let pid = child.id();
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err("the window process has no pipes".into());
        };
        tracing::info!(pid, "window process started at {}", route.fragment());
        let mut r = Running { pid, stdin };
        let _ = r.stdin.write_all(encode(first).as_bytes());
        *running = Some(r);
        drop(running);

        let running = Arc::clone(&self.running);
        let spawned = std::thread::Builder::new().name("window-link".into()).spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match decode::<ToTray>(&line) {
                    Some(Ok(msg)) => on_message(msg),
                    Some(Err(e)) => tracing::error!("{e}"),
                    None => {}
                }
            }
            match child.wait() {
                Ok(status) if status.success() => tracing::info!(pid, "window process ended"),
                Ok(status) => {
                    tracing::warn!(pid, "the window process stopped with a failure ({status})");
                    on_failure(format!("Its process stopped with a failure ({status})."));
                }
                Err(e) => tracing::warn!(pid, "cannot tell how the window process ended: {e}"),
            }
            // Forget it, unless a newer one took its place meanwhile.
            let mut running = running.lock().unwrap_or_else(|p| p.into_inner());
            if running.as_ref().is_some_and(|r| r.pid == pid) {
                *running = None;
            }
        });
        spawned.map(|_| ()).map_err(|e| format!("cannot listen to the window process: {e}"))
    }

    /// Pass `msg` to the window process, if there is one (no window, nothing to tell).
    pub fn send(&self, msg: &ToWindow) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = running.as_mut()
            && let Err(e) = r.stdin.write_all(encode(msg).as_bytes())
        {
            tracing::debug!(pid = r.pid, "the window process did not take a message: {e}");
        }
    }
}

/// The tray's answer to a call from the window process (what the window's command returns).
pub async fn answer(core: &Core, call: Call) -> Result<serde_json::Value, IpcError> {
    let value = match call {
        Call::SyncNow => serde_json::to_value(core.sync_now().await?),
        Call::SetPaused { paused } => serde_json::to_value(core.set_paused(paused)),
    };
    value.map_err(|e| IpcError::internal(e.to_string()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn opened(program: &str) -> (Result<(), String>, std::sync::mpsc::Receiver<String>) {
        let window = WindowProcess::new(Ok(PathBuf::from(program)), Vec::new());
        let (tx, rx) = std::sync::mpsc::channel();
        let first = ToWindow::Open { route: Route::Shelves };
        let result = window.open(Route::Shelves, &first, |_| {}, move |why| tx.send(why).unwrap());
        (result, rx)
    }

    #[test]
    fn a_window_process_that_fails_at_once_is_reported_not_ignored() {
        // `false` stands for a window that cannot show itself (no display, a crash at start).
        let (started, failures) = opened("false");
        assert!(started.is_ok(), "the process itself starts: {started:?}");
        let why = failures.recv_timeout(std::time::Duration::from_secs(10)).expect("the failure must be reported");
        assert!(why.contains("stopped with a failure"), "the report must say what happened: {why}");
    }

    #[test]
    fn a_window_process_that_ends_well_is_not_a_failure() {
        let (started, failures) = opened("true");
        assert!(started.is_ok(), "{started:?}");
        assert!(
            failures.recv_timeout(std::time::Duration::from_secs(10)).is_err(),
            "a window that closes normally must not be reported as a failure"
        );
    }
}
