//! What every command and tray action reaches through `app.state::<AppState>()`.
//!
//! OS side effects (login items, opening a folder) sit behind small traits so command tests can
//! run on the mock runtime without touching the user's desktop.

use std::path::Path;
use std::sync::Arc;

use crate::core_bridge::Core;
use crate::link::window_side::TrayLink;

pub struct AppState {
    pub core: Core,
    pub autostart: Arc<dyn AutostartSwitch>,
    pub opener: Arc<dyn FolderOpener>,
    /// In the window process: the tray process, which runs the syncs. `None` in the tray itself
    /// (and in command tests), where the core syncs on its own.
    pub tray: Option<Arc<TrayLink>>,
}

/// Start at login (the OS login items; off unless the user turns it on).
pub trait AutostartSwitch: Send + Sync {
    fn is_enabled(&self) -> Result<bool, String>;
    fn set_enabled(&self, enabled: bool) -> Result<(), String>;
}

pub trait FolderOpener: Send + Sync {
    fn open(&self, dir: &Path) -> Result<(), String>;
}

/// The real switch: tauri-plugin-autostart (an XDG autostart .desktop file on Linux).
pub struct PluginAutostart<R: tauri::Runtime>(pub tauri::AppHandle<R>);

impl<R: tauri::Runtime> AutostartSwitch for PluginAutostart<R> {
    fn is_enabled(&self) -> Result<bool, String> {
        use tauri_plugin_autostart::ManagerExt;
        self.0.autolaunch().is_enabled().map_err(|e| e.to_string())
    }

    fn set_enabled(&self, enabled: bool) -> Result<(), String> {
        use tauri_plugin_autostart::ManagerExt;
        let m = self.0.autolaunch();
        if enabled { m.enable() } else { m.disable() }.map_err(|e| e.to_string())
    }
}

/// Opens a folder in the desktop's file manager.
pub struct SystemOpener;

impl FolderOpener for SystemOpener {
    fn open(&self, dir: &Path) -> Result<(), String> {
        #[cfg(target_os = "linux")]
        let program = "xdg-open";
        #[cfg(target_os = "macos")]
        let program = "open";
        #[cfg(target_os = "windows")]
        let program = "explorer";
        std::process::Command::new(program)
            .arg(dir)
            .spawn()
            .map(|_| ())
            .map_err(|e| format!("cannot start {program} to open {}: {e}", dir.display()))
    }
}
