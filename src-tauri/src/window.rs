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
    let w = build(app, route, true)?;
    tracing::info!("window opened at {}", route.fragment());
    w.set_focus()
}

/// Create the window without showing it: its page loads (and reads its first shelf) while nobody
/// sees it, until [`open`] shows it.
pub fn create_hidden<R: Runtime>(app: &AppHandle<R>, route: Route) -> tauri::Result<()> {
    build(app, route, false)?;
    tracing::info!("window created hidden at {}", route.fragment());
    Ok(())
}

fn build<R: Runtime>(app: &AppHandle<R>, route: Route, visible: bool) -> tauri::Result<tauri::WebviewWindow<R>> {
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
    config.visible = visible;
    WebviewWindowBuilder::from_config(app, &config)?.build()
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
/// the moment to the window process as `--asked-at-ms`, or in its `Open` to a window started
/// ahead) to where it ends (the page). Wall-clock time, since it crosses processes.
#[derive(Default)]
pub struct OpenedAt(Mutex<Asked>);

#[derive(Default)]
enum Asked {
    /// A window started ahead, not asked for yet.
    #[default]
    NotYet,
    At(SystemTime),
    /// Measured once; later opens of the same page are not a wait for first rows.
    Measured,
}

impl OpenedAt {
    pub fn new(asked: Option<SystemTime>) -> Self {
        Self(Mutex::new(asked.map_or(Asked::NotYet, Asked::At)))
    }

    /// The user asked at `at`: kept if this is the window's first ask.
    pub fn asked(&self, at: SystemTime) {
        let mut asked = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*asked, Asked::NotYet) {
            *asked = Asked::At(at);
        }
    }

    /// Whether anyone asked for the window yet (false only for one started ahead, still hidden).
    pub fn asked_yet(&self) -> bool {
        !matches!(*self.0.lock().unwrap_or_else(|e| e.into_inner()), Asked::NotYet)
    }

    /// Time since the window was asked for; `None` if it was not asked for, or once taken.
    pub fn take(&self) -> Option<Duration> {
        let mut asked = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Asked::At(at) = *asked else { return None };
        *asked = Asked::Measured;
        Some(SystemTime::now().duration_since(at).unwrap_or_default())
    }
}

/// A moment the tray sent as Unix milliseconds.
pub fn unix_ms(ms: u64) -> SystemTime {
    std::time::UNIX_EPOCH + Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_measured_from_the_first_ask_and_once() {
        let ahead = OpenedAt::new(None);
        assert!(!ahead.asked_yet());
        assert_eq!(ahead.take(), None, "a window started ahead has kept nobody waiting yet");
        let asked = SystemTime::now() - Duration::from_millis(200);
        ahead.asked(asked);
        ahead.asked(SystemTime::now());
        assert!(ahead.asked_yet());
        let waited = ahead.take().expect("asked for");
        assert!(waited >= Duration::from_millis(200), "measured from the first ask: {waited:?}");
        assert_eq!(ahead.take(), None, "measured once");
        ahead.asked(SystemTime::now());
        assert_eq!(ahead.take(), None, "a later open of the same page is not a first-rows wait");
    }
}
