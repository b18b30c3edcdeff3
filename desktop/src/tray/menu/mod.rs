//! The tray icon and its menu: every action lives in the menu, because many Linux panels open
//! the menu on a click on the icon and deliver no click of their own.
//!
//! What the menu says and does is here; how it is shown is per OS: `sni` on Linux (a
//! StatusNotifierItem over D-Bus), `win32` on Windows (tray-icon). Each offers `build`,
//! `refresh` (from any thread), `set_autostart_checked` and `close`.

use std::sync::Arc;

use super::Tray;
use crate::route::Route;
use hardcover_sync::app::status::{AppStatus, SyncState};
use hardcover_sync::sync::observe::SyncPhase;

#[cfg(target_os = "linux")]
mod sni;
#[cfg(target_os = "linux")]
pub use sni::{build, close, refresh, set_autostart_checked};
#[cfg(windows)]
mod win32;
#[cfg(windows)]
pub use win32::{build, close, refresh, set_autostart_checked};

pub const TRAY_ID: &str = "hardcover-sync";
const TOOLTIP: &str = "Hardcover Sync";

/// Menu item ids.
mod id {
    pub const CONNECT: &str = "connect";
    pub const SYNC_NOW: &str = "sync-now";
    pub const PAUSE: &str = "pause";
    pub const OPEN_SHELVES: &str = "open-shelves";
    pub const SETTINGS: &str = "settings";
    pub const START_AT_LOGIN: &str = "start-at-login";
    pub const QUIT: &str = "quit";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconState {
    Idle,
    Syncing,
    Error,
    Disconnected,
}

impl IconState {
    pub fn of(status: &AppStatus) -> Self {
        if status.reconnect_needed || status.sync.state == SyncState::Error || status.sync.failing_sources() > 0 {
            IconState::Error
        } else if status.sync.state == SyncState::Syncing {
            IconState::Syncing
        } else if !status.connected {
            IconState::Disconnected
        } else {
            IconState::Idle
        }
    }

    fn png(self) -> &'static [u8] {
        match self {
            IconState::Idle => include_bytes!("../../../icons/tray-idle.png"),
            IconState::Syncing => include_bytes!("../../../icons/tray-syncing.png"),
            IconState::Error => include_bytes!("../../../icons/tray-error.png"),
            IconState::Disconnected => include_bytes!("../../../icons/tray-disconnected.png"),
        }
    }

    /// The icon as RGBA pixels: (pixels, width, height).
    fn rgba(self) -> Result<(Vec<u8>, u32, u32), String> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(self.png()));
        // Palette and 16-bit images come out as 8-bit, with alpha.
        decoder.set_transformations(png::Transformations::normalize_to_color8() | png::Transformations::ALPHA);
        let mut reader = decoder.read_info().map_err(|e| format!("tray icon {self:?}: {e}"))?;
        let size = reader.output_buffer_size().ok_or_else(|| format!("tray icon {self:?} is too large"))?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(|e| format!("tray icon {self:?}: {e}"))?;
        buf.truncate(frame.buffer_size());
        let rgba = match frame.color_type {
            png::ColorType::Rgba => buf,
            // The grey "disconnected" book is stored as grey + alpha.
            png::ColorType::GrayscaleAlpha => buf.chunks(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
            other => return Err(format!("tray icon {self:?} decodes as {other:?}, not RGBA")),
        };
        Ok((rgba, frame.width, frame.height))
    }
}

/// The two status lines at the top of the menu. `local_hhmm` turns an RFC 3339 time into the
/// local clock time (injected so tests do not depend on the machine's time zone).
pub fn status_lines(
    status: &AppStatus,
    last_error: Option<&str>,
    local_hhmm: &dyn Fn(&str) -> String,
) -> (String, String) {
    let user = match (&status.username, status.connected) {
        (Some(u), true) => format!("Connected as {u}"),
        (None, true) => "Connected".to_owned(),
        _ => "Not connected".to_owned(),
    };
    let sync = &status.sync;
    let line = if status.reconnect_needed {
        "Reconnect needed".to_owned()
    } else if let (SyncState::Syncing, Some(p)) = (sync.state, sync.progress)
        && p.phase != SyncPhase::Listing
        && p.total > 0
    {
        // Matching and updating both count the items, from 0 each: say which, or the count
        // would seem to go backwards.
        let verb = if p.phase == SyncPhase::Matching { "Matching" } else { "Syncing" };
        format!("{verb} {}/{}…", p.done, p.total)
    } else if sync.state == SyncState::Syncing {
        "Syncing…".to_owned()
    } else if sync.state == SyncState::Error {
        format!("Last sync failed: {}", last_error.unwrap_or("see the logs"))
    } else if let n @ 1.. = sync.failing_sources() {
        // A run that read the other sources succeeded, but this is what the user must act on.
        let which = if n == 1 { "1 source failing".to_owned() } else { format!("{n} sources failing") };
        match &sync.last_run_at {
            Some(at) => format!("{which} · last sync {}", local_hhmm(at)),
            None => which,
        }
    } else {
        let last = match (&sync.last_run_at, &sync.last_summary) {
            (Some(at), Some(s)) => format!("Last sync {} · {} updated", local_hhmm(at), s.updated()),
            (Some(at), None) => format!("Last sync {}", local_hhmm(at)),
            _ => "Not synced yet".to_owned(),
        };
        if sync.state == SyncState::Paused { format!("{last} (paused)") } else { last }
    };
    (user, line)
}

fn local_hhmm(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// The two menu entries whose words follow the state.
fn connect_label(status: &AppStatus) -> &'static str {
    if status.connected { "Disconnect" } else { "Connect Hardcover…" }
}

fn pause_label(status: &AppStatus) -> &'static str {
    if status.sync.state == SyncState::Paused { "Resume sync" } else { "Pause sync" }
}

/// On the main thread, off the async runtime (some actions block: the browser, the keyring).
/// "Start at login" is the backend's: its check mark is its own.
fn on_menu_event(tray: &Arc<Tray>, which: &str) {
    tracing::info!(item = which, "tray menu");
    match which {
        id::CONNECT if tray.core.status().connected => tray.disconnect(),
        id::CONNECT => tray.connect_in_browser(),
        id::SYNC_NOW => tray.sync_now(),
        id::PAUSE => {
            let paused = tray.core.status().sync.state == SyncState::Paused;
            tray.core.set_paused(!paused);
        }
        id::OPEN_SHELVES => tray.open_window(Route::Shelves),
        id::SETTINGS => tray.open_window(Route::Settings),
        id::QUIT => super::platform::quit(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardcover_sync::app::status::SyncStatus;
    use hardcover_sync::config::TokenStoreKind as TokenStore;
    use hardcover_sync::sync::observe::SyncProgress;
    use hardcover_sync::sync::report::RunSummary;

    fn status(state: SyncState) -> AppStatus {
        AppStatus {
            connected: true,
            username: Some("ada".into()),
            user_id: Some(1),
            token_store: TokenStore::Keyring,
            reconnect_needed: false,
            reconnect_reason: None,
            sync: SyncStatus {
                state,
                last_run_at: None,
                last_summary: None,
                progress: None,
                next_run_at: None,
                sources: vec![],
            },
            offline: false,
            demo: false,
        }
    }

    fn lines(s: &AppStatus) -> (String, String) {
        status_lines(s, Some("server down"), &|t| t[11..16].to_owned())
    }

    #[test]
    fn status_lines_follow_the_state() {
        let mut s = status(SyncState::Idle);
        assert_eq!(lines(&s), ("Connected as ada".into(), "Not synced yet".into()));
        s.sync.last_run_at = Some("2026-11-25T10:32:00Z".into());
        s.sync.last_summary = Some(RunSummary { progress_updated: 2, finished: 1, ..Default::default() });
        assert_eq!(lines(&s).1, "Last sync 10:32 · 3 updated", "updated counts every change of the run");
        s.sync.state = SyncState::Syncing;
        s.sync.progress = Some(SyncProgress { phase: SyncPhase::Listing, done: 0, total: 1 });
        assert_eq!(lines(&s).1, "Syncing…", "while the servers are read there is no item count yet");
        s.sync.progress = Some(SyncProgress { phase: SyncPhase::Matching, done: 3, total: 40 });
        assert_eq!(lines(&s).1, "Matching 3/40…");
        s.sync.progress = Some(SyncProgress { phase: SyncPhase::Updating, done: 12, total: 40 });
        assert_eq!(lines(&s).1, "Syncing 12/40…");
        s.reconnect_needed = true;
        assert_eq!(lines(&s).1, "Reconnect needed", "reconnect needed outranks everything else");
        assert_eq!(IconState::of(&s), IconState::Error);
        let mut s = status(SyncState::Error);
        s.connected = false;
        assert_eq!(lines(&s), ("Not connected".into(), "Last sync failed: server down".into()));
    }

    #[test]
    fn a_failing_source_shows_in_the_line_and_the_icon_until_it_passes() {
        let mut s = status(SyncState::Idle);
        s.sync.last_run_at = Some("2026-11-25T10:32:00Z".into());
        s.sync.last_summary = Some(RunSummary { progress_updated: 2, ..Default::default() });
        let failing = |name: &str| hardcover_sync::app::status::SourceStatus {
            name: name.into(),
            failing_since: Some("2026-11-25T10:02:00Z".into()),
            message: Some("cannot reach it".into()),
            last_ok_at: None,
        };
        s.sync.sources = vec![failing("komga")];
        assert_eq!(lines(&s).1, "1 source failing · last sync 10:32", "a failing source must not read as success");
        assert_eq!(IconState::of(&s), IconState::Error, "a failing source shows the error icon");
        s.sync.sources.push(failing("kavita"));
        assert_eq!(lines(&s).1, "2 sources failing · last sync 10:32");
        s.sync.sources.clear();
        assert_eq!(lines(&s).1, "Last sync 10:32 · 2 updated");
        assert_eq!(IconState::of(&s), IconState::Idle, "once the source passes again the icon is back to normal");
    }

    #[test]
    fn icon_follows_the_state() {
        assert_eq!(IconState::of(&status(SyncState::Idle)), IconState::Idle);
        assert_eq!(IconState::of(&status(SyncState::Syncing)), IconState::Syncing);
        assert_eq!(IconState::of(&status(SyncState::Error)), IconState::Error);
        let mut s = status(SyncState::Idle);
        s.connected = false;
        assert_eq!(IconState::of(&s), IconState::Disconnected);
    }

    #[test]
    fn every_icon_decodes() {
        for s in [IconState::Idle, IconState::Syncing, IconState::Error, IconState::Disconnected] {
            let (rgba, w, h) = s.rgba().expect("tray icons must be valid PNGs");
            assert_eq!((w, h), (64, 64), "{s:?}");
            assert_eq!(rgba.len(), 64 * 64 * 4, "{s:?} must decode to one RGBA pixel per point");
            assert!(rgba.chunks(4).any(|p| p[3] == 0), "{s:?} must have a transparent background");
        }
    }
}
