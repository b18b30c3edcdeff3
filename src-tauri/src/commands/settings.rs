//! The settings page: the config file plus the OS login item.

use tauri::{AppHandle, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::model::{Settings, SourceSettings, TestSourceResult};
use crate::settings_file;
use crate::state::AppState;

#[tauri::command]
pub async fn get_settings<R: Runtime>(app: AppHandle<R>) -> IpcResult<Settings> {
    let state = app.state::<AppState>();
    if let Some(problem) = state.core.config_error() {
        // Showing defaults here would let a save overwrite the user's file with them.
        return Err(IpcError::invalid_input(problem));
    }
    let autostart = state.autostart.is_enabled().map_err(IpcError::internal)?;
    Ok(settings_file::to_settings(&state.core.config(), autostart))
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(app: AppHandle<R>, settings: Settings) -> IpcResult<Settings> {
    let state = app.state::<AppState>();
    let saved = settings_file::save(&state.core.paths().config_file, &settings)?;
    tracing::info!("settings saved to {}", state.core.paths().config_file.display());
    state.core.replace_config(saved);
    if state.autostart.is_enabled().ok() != Some(settings.start_at_login) {
        super::system::apply_autostart(&app, settings.start_at_login)?;
    }
    get_settings(app).await
}

/// Needs the core's source clients.
#[tauri::command]
pub async fn test_source<R: Runtime>(_app: AppHandle<R>, source: SourceSettings) -> IpcResult<TestSourceResult> {
    let _ = source;
    Err(IpcError::not_available())
}
