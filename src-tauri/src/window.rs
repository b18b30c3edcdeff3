//! The shelf browser window, in the window process (see `link`): it does not exist until asked
//! for, and closing it ends that process; the app keeps running in the tray.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Where the window opens. The UI routes on the URL fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

    /// The name on the window process's command line (`--route settings`).
    pub fn name(self) -> &'static str {
        match self {
            Route::Shelves => "shelves",
            Route::Settings => "settings",
            Route::Connect => "connect",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Route::Shelves, Route::Settings, Route::Connect].into_iter().find(|r| r.name() == name)
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
    let w = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    tracing::info!("window opened at {}", route.fragment());
    w.set_focus()
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
