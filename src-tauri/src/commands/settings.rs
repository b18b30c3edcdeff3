//! The settings page: the config file plus the OS login item.

use std::path::PathBuf;

use hardcover_sync::auth::{set_source_secret, source_secret};
use hardcover_sync::shelf;
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
    let config = state.core.config();
    let mut settings = settings_file::to_settings(&config, autostart);
    // A key kept in the keyring counts as stored too (the page shows "saved" instead of empty).
    for src in settings.sources.iter_mut().filter(|s| !s.has_secret) {
        src.has_secret = matches!(source_secret(config.scrobbling.hardcover.token_store, &src.name), Ok(Some(_)));
    }
    Ok(settings)
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(app: AppHandle<R>, settings: Settings) -> IpcResult<Settings> {
    let state = app.state::<AppState>();
    let saved = settings_file::save(&state.core.paths().config_file, &settings)?;
    tracing::info!("settings saved to {}", state.core.paths().config_file.display());
    state.core.replace_config(saved);
    for src in &settings.sources {
        if let Some(secret) = src.secret.as_ref().filter(|s| !s.is_empty()) {
            set_source_secret(src.name.trim(), Some(secret)).map_err(|e| {
                IpcError::internal(format!(
                    "the settings were saved, but the key of {:?} could not be stored in the OS keyring: {e}",
                    src.name
                ))
            })?;
            tracing::info!(source = %src.name, "source secret stored in the keyring");
        }
    }
    if state.autostart.is_enabled().ok() != Some(settings.start_at_login) {
        super::system::apply_autostart(&app, settings.start_at_login)?;
    }
    get_settings(app).await
}

/// Build the source as the sync would and list it once. A failing server is an answer
/// (`ok: false` with what to fix), not an error; a malformed entry is `invalid_input`.
#[tauri::command]
pub async fn test_source<R: Runtime>(app: AppHandle<R>, source: SourceSettings) -> IpcResult<TestSourceResult> {
    let core = app.state::<AppState>().core.app()?;
    let kind = serde_json::to_value(source.kind)
        .and_then(serde_json::from_value)
        .map_err(|e| IpcError::internal(format!("source kind {:?}: {e}", source.kind)))?;
    let candidate = shelf::SourceSettings {
        kind,
        name: source.name.trim().to_owned(),
        url: source.url,
        username: source.username,
        library: source.library.into_iter().map(PathBuf::from).collect(),
        enabled: true,
        has_secret: source.has_secret,
        secret: None,
    };
    let cfg = candidate.to_config()?;
    let result = shelf::test_source(&core, &cfg, source.secret).await;
    tracing::info!(source = %cfg.name, ok = result.ok, "source tested");
    Ok(TestSourceResult { ok: result.ok, message: result.message, items: result.items as u32 })
}
