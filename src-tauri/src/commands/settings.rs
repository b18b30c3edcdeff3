//! The settings page: the config file (through the core's `shelf::settings`, which keeps every key
//! the page does not own and puts typed secrets in the keyring) plus the OS login item.

use hardcover_sync::config::Config;
use hardcover_sync::shelf::{self, Settings, SourceSettings, SourceTest};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[tauri::command]
pub async fn get_settings<R: Runtime>(app: AppHandle<R>) -> IpcResult<Settings> {
    let state = app.state::<AppState>();
    if let Some(problem) = state.core.config_error() {
        // Showing defaults here would let a save overwrite the user's file with them.
        return Err(IpcError::invalid_input(problem));
    }
    let autostart = state.autostart.is_enabled().map_err(IpcError::internal)?;
    let path = &state.core.paths().config_file;
    let settings = shelf::settings::load_with(path, &shelf::settings::KeyringSecrets, &env)?;
    Ok(Settings { start_at_login: autostart, ..settings })
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(app: AppHandle<R>, settings: Settings) -> IpcResult<Settings> {
    let state = app.state::<AppState>();
    let path = state.core.paths().config_file.clone();
    let start_at_login = settings.start_at_login;
    let wanted = settings.from_page(&state.core.config());
    shelf::settings::save_with(&path, &wanted, &shelf::settings::KeyringSecrets, &env)?;
    tracing::info!("settings saved to {}", path.display());
    // The core's save checked the file with this same parser; reading it back gives the config
    // exactly as the next start will see it.
    let saved = Config::load(&path).map_err(|e| IpcError::internal(e.to_string()))?;
    state.core.replace_config(saved);
    if state.autostart.is_enabled().ok() != Some(start_at_login) {
        super::system::apply_autostart(&app, start_at_login)?;
    }
    crate::tray_link::changed_here(&app);
    get_settings(app).await
}

/// Build the source as the sync would and list it once. A failing server is an answer
/// (`ok: false` with what to fix), not an error; a malformed entry is `invalid_input`.
#[tauri::command]
pub async fn test_source<R: Runtime>(app: AppHandle<R>, source: SourceSettings) -> IpcResult<SourceTest> {
    let core = app.state::<AppState>().core.app()?;
    let mut candidate = source.from_page(&core.config);
    // Tested as it would run once saved and switched on.
    candidate.enabled = true;
    let secret = candidate.secret.take();
    let cfg = candidate.to_config()?;
    let result = shelf::test_source(&core, &cfg, secret).await;
    tracing::info!(source = %cfg.name, ok = result.ok, "source tested");
    Ok(result)
}
