//! The shelf browser window. It does not exist until asked for (the tray alone stays light), and
//! closing it destroys it; the app keeps running in the tray.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Where the window opens. The UI routes on the URL fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Shelves,
    Settings,
    Connect,
}

impl Route {
    pub fn fragment(self) -> &'static str {
        match self {
            Route::Shelves => "#/shelves",
            Route::Settings => "#/settings",
            Route::Connect => "#/connect",
        }
    }
}

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
    if let Some(clock) = app.try_state::<OpenedAt>() {
        clock.start();
    }
    let w = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    tracing::info!("window opened at {}", route.fragment());
    w.set_focus()
}

/// When the window was last created, so the time the user waits from "Open shelves" to seeing
/// rows can be measured where it starts (the shell) and where it ends (the page).
#[derive(Default)]
pub struct OpenedAt(Mutex<Option<Instant>>);

impl OpenedAt {
    fn start(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// Time since the window was created; `None` if already taken (a page reload, another shelf).
    pub fn take(&self) -> Option<Duration> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take().map(|t| t.elapsed())
    }
}
