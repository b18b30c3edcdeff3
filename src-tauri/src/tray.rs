//! The tray icon and its menu: every action lives in the menu, because on Linux (AppIndicator)
//! clicks on the icon itself are not delivered.

use std::sync::Mutex;

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::link::tray_side;
use crate::model::{AppStatus, SyncPhase, SyncState};
use crate::notify::Notice;
use crate::state::AppState;
use crate::window::Route;

pub const TRAY_ID: &str = "hardcover-sync";

/// Menu item ids (also what the end-to-end tests look for, by label).
mod id {
    pub const STATUS_USER: &str = "status-user";
    pub const STATUS_SYNC: &str = "status-sync";
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
        if status.reconnect_needed || status.sync.state == SyncState::Error {
            IconState::Error
        } else if status.sync.state == SyncState::Syncing {
            IconState::Syncing
        } else if !status.connected {
            IconState::Disconnected
        } else {
            IconState::Idle
        }
    }

    fn image(self) -> tauri::Result<Image<'static>> {
        Image::from_bytes(match self {
            IconState::Idle => include_bytes!("../icons/tray-idle.png"),
            IconState::Syncing => include_bytes!("../icons/tray-syncing.png"),
            IconState::Error => include_bytes!("../icons/tray-error.png"),
            IconState::Disconnected => include_bytes!("../icons/tray-disconnected.png"),
        })
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

/// Handles to what changes after start, kept as managed state.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    status_user: MenuItem<R>,
    status_sync: MenuItem<R>,
    connect: MenuItem<R>,
    pause: MenuItem<R>,
    start_at_login: CheckMenuItem<R>,
    shown: Mutex<Option<IconState>>,
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let state = app.state::<AppState>();
    let autostart = state.autostart.is_enabled().unwrap_or(false);
    let status_user = MenuItem::with_id(app, id::STATUS_USER, "Not connected", false, None::<&str>)?;
    let status_sync = MenuItem::with_id(app, id::STATUS_SYNC, "Not synced yet", false, None::<&str>)?;
    let connect = MenuItem::with_id(app, id::CONNECT, "Connect Hardcover…", true, None::<&str>)?;
    let sync_now = MenuItem::with_id(app, id::SYNC_NOW, "Sync now", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, id::PAUSE, "Pause sync", true, None::<&str>)?;
    let open = MenuItem::with_id(app, id::OPEN_SHELVES, "Open shelves…", true, None::<&str>)?;
    let settings = MenuItem::with_id(app, id::SETTINGS, "Settings…", true, None::<&str>)?;
    let start_at_login =
        CheckMenuItem::with_id(app, id::START_AT_LOGIN, "Start at login", true, autostart, None::<&str>)?;
    let quit = MenuItem::with_id(app, id::QUIT, "Quit", true, None::<&str>)?;
    let sep = || PredefinedMenuItem::separator(app);
    let menu = Menu::with_items(
        app,
        &[
            &status_user,
            &status_sync,
            &sep()?,
            &connect,
            &sync_now,
            &pause,
            &sep()?,
            &open,
            &settings,
            &start_at_login,
            &sep()?,
            &quit,
        ],
    )?;
    let icon = TrayIconBuilder::with_id(TRAY_ID)
        .icon(IconState::Disconnected.image()?)
        .tooltip("Hardcover Sync")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(Tray { icon, status_user, status_sync, connect, pause, start_at_login, shown: Mutex::new(None) });
    refresh(app);
    Ok(())
}

/// Bring the menu and icon in line with the current status.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let (Some(tray), Some(state)) = (app.try_state::<Tray<R>>(), app.try_state::<AppState>()) else {
        return;
    };
    let status = state.core.status();
    let (user, sync) = status_lines(&status, state.core.last_error().as_deref(), &local_hhmm);
    let result = (|| -> tauri::Result<()> {
        tray.status_user.set_text(user)?;
        tray.status_sync.set_text(sync)?;
        tray.connect.set_text(if status.connected { "Disconnect" } else { "Connect Hardcover…" })?;
        let paused = status.sync.state == SyncState::Paused;
        tray.pause.set_text(if paused { "Resume sync" } else { "Pause sync" })?;
        let icon = IconState::of(&status);
        let mut shown = tray.shown.lock().unwrap_or_else(|p| p.into_inner());
        if *shown != Some(icon) {
            tray.icon.set_icon(Some(icon.image()?))?;
            *shown = Some(icon);
        }
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!("cannot update the tray: {e}");
    }
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let which = event.id().as_ref();
    tracing::info!(item = which, "tray menu");
    let state = app.state::<AppState>();
    let opened = |route| {
        if let Err(e) = tray_side::open(app, route) {
            tracing::error!("cannot open the window: {e}");
        }
    };
    match which {
        id::CONNECT if state.core.status().connected => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = crate::commands::connect::disconnect_inner(&app).await {
                    tracing::warn!("disconnect: {e}");
                }
            });
        }
        id::CONNECT => connect_in_browser(app),
        id::SYNC_NOW => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let _ = app.state::<AppState>().core.sync_now().await;
            });
        }
        id::PAUSE => {
            let paused = state.core.status().sync.state == SyncState::Paused;
            state.core.set_paused(!paused);
        }
        id::OPEN_SHELVES => opened(Route::Shelves),
        id::SETTINGS => opened(Route::Settings),
        id::START_AT_LOGIN => {
            let Some(tray) = app.try_state::<Tray<R>>() else { return };
            // GTK has already flipped the check mark; make the OS agree, or flip it back.
            let wanted = tray.start_at_login.is_checked().unwrap_or(false);
            if let Err(e) = state.autostart.set_enabled(wanted) {
                tracing::error!("cannot change start at login: {e}");
                let _ = tray.start_at_login.set_checked(!wanted);
            }
        }
        id::QUIT => app.exit(0),
        _ => {}
    }
}

/// The browser sign-in, run from the tray itself ("Connect Hardcover…", a click on the
/// "reconnect" notification); the outcome shows in the menu (status line), as a notification,
/// and in the window if it is open (`connect-result`).
pub fn connect_in_browser<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let message = match crate::commands::connect::connect_browser(app.clone()).await {
            Ok(s) => Notice::Connection {
                ok: true,
                message: format!("Connected as {}", s.username.as_deref().unwrap_or("your Hardcover account")),
            },
            Err(e) => Notice::Connection { ok: false, message: e.message },
        };
        let prefs = app.state::<AppState>().core.config().notifications;
        crate::notify::send(message, &prefs);
    });
}

/// Keep the check mark in step when the setting changes from the Settings page.
pub fn set_autostart_checked<R: Runtime>(app: &AppHandle<R>, enabled: bool) {
    if let Some(tray) = app.try_state::<Tray<R>>() {
        let _ = tray.start_at_login.set_checked(enabled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RunSummary, SyncProgress, SyncStatus, TokenStore};

    fn status(state: SyncState) -> AppStatus {
        AppStatus {
            connected: true,
            username: Some("ada".into()),
            user_id: Some(1),
            token_store: TokenStore::Keyring,
            reconnect_needed: false,
            reconnect_reason: None,
            sync: SyncStatus { state, last_run_at: None, last_summary: None, progress: None, next_run_at: None },
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
            let img = s.image().expect("tray icons must be valid PNGs");
            assert_eq!((img.width(), img.height()), (64, 64), "{s:?}");
        }
    }
}
