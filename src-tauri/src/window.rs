//! The shelf browser window, in the window process (see `hardcover_sync_desktop::link`): it does
//! not exist until asked for, and closing it ends that process; the app keeps running in the tray.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub use hardcover_sync_desktop::route::Route;

pub const MAIN: &str = "main";

/// Show the window at `route`, creating it from the `main` entry of tauri.conf.json if needed.
pub fn open<R: Runtime>(app: &AppHandle<R>, route: Route) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(MAIN) {
        // Navigating by fragment keeps the page (and its state) loaded.
        w.eval(format!("window.location.hash = {:?}", route.fragment()))?;
        w.unminimize()?;
        w.show()?;
        return w.set_focus();
    }
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    config.url = WebviewUrl::App(format!("index.html{}", route.fragment()).into());
    config.create = true;
    let w = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    tracing::info!("window opened at {}", route.fragment());
    w.set_focus()
}

/// Give the window the desktop's dark/light preference (the settings portal's `color-scheme`),
/// read once, off the UI thread: the page follows it through `prefers-color-scheme`.
///
/// Tauri's `dbus` feature would do this and keep listening for changes, with a thread that wakes
/// every 5 s in every process, the idle tray's included; it is off (see Cargo.toml). GTK's own
/// dark theme setting still applies without the portal.
pub fn follow_desktop_theme<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(target_os = "linux")]
    {
        let app = app.clone();
        std::thread::spawn(move || {
            let Some(theme) = portal_theme() else { return };
            if let Some(w) = app.get_webview_window(MAIN)
                && let Err(e) = w.set_theme(Some(theme))
            {
                tracing::debug!("cannot set the window's theme: {e}");
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

#[cfg(target_os = "linux")]
fn portal_theme() -> Option<tauri::Theme> {
    use zbus::zvariant::{OwnedValue, Value};
    let conn = zbus::blocking::Connection::session().ok()?;
    let reply = conn
        .call_method(
            Some("org.freedesktop.portal.Desktop"),
            "/org/freedesktop/portal/desktop",
            Some("org.freedesktop.portal.Settings"),
            "Read",
            &("org.freedesktop.appearance", "color-scheme"),
        )
        .ok()?;
    let value: OwnedValue = reply.body().deserialize().ok()?;
    // `Read` wraps the setting in one or two variants, depending on the portal's version.
    let mut v: &Value<'_> = &value;
    while let Value::Value(inner) = v {
        v = inner.as_ref();
    }
    match v {
        Value::U32(1) => Some(tauri::Theme::Dark),
        Value::U32(2) => Some(tauri::Theme::Light),
        _ => None,
    }
}

/// When the user asked for the window ("Open shelves…" in the tray, a second launch), so the time
/// they wait until rows show can be measured from where it starts (the tray process, which hands
/// the moment to the window process as `--asked-at-ms`) to where it ends (the page). Wall-clock
/// time, since it crosses processes.
#[derive(Default)]
pub struct OpenedAt(Mutex<Option<SystemTime>>);

impl OpenedAt {
    pub fn at(asked: SystemTime) -> Self {
        Self(Mutex::new(Some(asked)))
    }

    /// Time since the window was asked for; `None` once taken (a page reload, another shelf).
    pub fn take(&self) -> Option<Duration> {
        let asked = self.0.lock().unwrap_or_else(|e| e.into_inner()).take()?;
        Some(SystemTime::now().duration_since(asked).unwrap_or_default())
    }
}
