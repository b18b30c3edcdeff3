//! The shelf browser runs in a process of its own, and this is how it talks to the tray process.
//!
//! Why two processes: WebKit keeps most of what a window made it allocate after the window is
//! gone. With the window in the tray's process, the tray went from 70 MiB (never opened) to 219
//! MiB after one look at the shelves, for as long as the desktop session lasts. As a child
//! process, the window takes all of that with it when it closes.
//!
//! Who does what:
//! - The **tray** owns the sync: the scheduler, the run in progress, its history, notifications.
//!   It starts the window process (the `hardcover-sync-window` binary beside its own) and
//!   answers its calls (`tray::window_process`). It is built without Tauri, so it never loads
//!   WebKit: the tray stays small whether or not a window was ever opened.
//! - The **window** reads and edits the library itself (the same SQLite database, in WAL mode,
//!   and the same token store), and asks the tray to sync or pause. When it changed the
//!   connection or the settings, it tells the tray to read them again.
//!
//! The channel is the child's stdin and stdout, one JSON message per line after [`PREFIX`]. A
//! pipe needs no socket file or port and only the two processes hold it; when the tray exits,
//! the window reads end-of-file and closes too.

use serde::{Deserialize, Serialize};

use crate::error::{IpcError, IpcResult};
use crate::route::Route;
use hardcover_sync::app::status::{ConnectResult, SyncStatus};
use hardcover_sync::sync::observe::SyncProgress;
use hardcover_sync::sync::report::RunSummary;

/// Marks our lines on the window's stdout; anything else there (a library printing a warning to
/// stdout) is not a message and is skipped.
pub const PREFIX: &str = "hcs-link ";

/// Window → tray.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToTray {
    /// A call the tray answers with a [`ToWindow::Reply`] of the same `id`.
    Call { id: u64, call: Call },
    /// The window changed the connection or the settings: the tray reads both again.
    Reload,
    /// The window is closing, and this process with it: the next "Open shelves…" must start
    /// another, not tell this one (it would be gone before it could show anything).
    Closing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Call {
    /// Answered with the run's `RunSummary`.
    SyncNow,
    /// Answered with the `SyncStatus` after the change.
    SetPaused { paused: bool },
}

/// Tray → window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWindow {
    Reply {
        id: u64,
        result: Result<serde_json::Value, IpcError>,
    },
    /// The tray's sync state, sent when the window starts and whenever it changes.
    Sync {
        sync: SyncStatus,
    },
    Progress {
        progress: SyncProgress,
    },
    SyncFinished {
        summary: RunSummary,
    },
    /// How a sign-in started from the tray menu ended.
    ConnectResult {
        result: ConnectResult,
    },
    /// The tray connected or disconnected: the window reads the connection and settings again.
    Reload,
    /// "Open shelves…" or "Settings…" while the window process runs (a window open, or one started
    /// ahead and still hidden): show it at `route`. `asked_at_ms` is the click (Unix ms), for the
    /// time until the first rows show.
    Open {
        route: Route,
        #[serde(default)]
        asked_at_ms: Option<u64>,
    },
}

/// One message as a line (with its newline).
pub fn encode<T: Serialize>(msg: &T) -> String {
    // These types serialize without failing (no maps with non-string keys, no custom impls).
    let json = serde_json::to_string(msg).unwrap_or_else(|e| panic!("a link message must serialize: {e}"));
    format!("{PREFIX}{json}\n")
}

/// The message on `line`: `None` for a line that is not ours, an error for one of ours that does
/// not parse (a tray and window of different versions, which must not happen: they are built
/// and installed together).
pub fn decode<T: serde::de::DeserializeOwned>(line: &str) -> Option<Result<T, String>> {
    let json = line.trim_end().strip_prefix(PREFIX)?;
    Some(serde_json::from_str(json).map_err(|e| format!("unreadable message from the other process ({e}): {json}")))
}

/// A reply's value as the type the call promised.
pub fn reply_value<T: serde::de::DeserializeOwned>(result: Result<serde_json::Value, IpcError>) -> IpcResult<T> {
    let value = result?;
    serde_json::from_value(value)
        .map_err(|e| IpcError::internal(format!("unexpected answer from the tray process: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use hardcover_sync::app::status::{SourceStatus, SyncState};
    use hardcover_sync::sync::observe::SyncPhase;

    #[test]
    fn messages_survive_the_line_format() {
        let to_tray = [ToTray::Call { id: 7, call: Call::SetPaused { paused: true } }, ToTray::Reload, ToTray::Closing];
        for msg in to_tray {
            let line = encode(&msg);
            assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "one message is one line: {line:?}");
            assert_eq!(decode::<ToTray>(&line), Some(Ok(msg)));
        }
        let sync = SyncStatus {
            state: SyncState::Syncing,
            last_run_at: None,
            last_summary: Some(RunSummary { run_id: 3, added: 2, ..Default::default() }),
            progress: Some(SyncProgress { phase: SyncPhase::Matching, done: 1, total: 4 }),
            next_run_at: Some("2026-11-25T10:00:00Z".into()),
            sources: vec![SourceStatus {
                name: "komga".into(),
                failing_since: Some("2026-11-25T09:30:00Z".into()),
                message: Some("cannot reach komga".into()),
                last_ok_at: None,
            }],
        };
        let to_window = [
            ToWindow::Sync { sync },
            ToWindow::Reply { id: 1, result: Err(IpcError::new(ErrorCode::Busy, "a sync is already running")) },
            ToWindow::Open { route: Route::Settings, asked_at_ms: Some(1_764_000_000_000) },
        ];
        for msg in to_window {
            assert_eq!(decode::<ToWindow>(&encode(&msg)), Some(Ok(msg)));
        }
    }

    #[test]
    fn other_output_is_not_taken_for_a_message() {
        assert_eq!(decode::<ToTray>("Gtk-WARNING: something\n"), None, "stray stdout lines are skipped");
        let broken = decode::<ToTray>(&format!("{PREFIX}{{\"kind\":\"nonsense\"}}\n"));
        assert!(matches!(broken, Some(Err(ref e)) if e.contains("nonsense")), "a bad message is reported: {broken:?}");
    }

    #[test]
    fn a_reply_keeps_the_tray_s_error_code() {
        let err = reply_value::<RunSummary>(Err(IpcError::new(ErrorCode::NotConnected, "connect first"))).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotConnected, "the window must see the code the tray's core gave");
        let odd = reply_value::<RunSummary>(Ok(serde_json::json!("not a summary"))).unwrap_err();
        assert_eq!(odd.code, ErrorCode::Internal);
    }
}
