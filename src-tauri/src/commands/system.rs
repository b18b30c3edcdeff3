//! Desktop integration: start at login, the logs folder, how long the window took to show rows.

use tauri::{AppHandle, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Returns the state actually in effect afterwards.
#[tauri::command]
pub async fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> IpcResult<bool> {
    apply_autostart(&app, enabled)
}

pub fn apply_autostart<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> IpcResult<bool> {
    let state = app.state::<AppState>();
    state
        .autostart
        .set_enabled(enabled)
        .map_err(|e| IpcError::internal(format!("cannot change start at login: {e}")))?;
    let now = state.autostart.is_enabled().map_err(IpcError::internal)?;
    tracing::info!(enabled = now, "start at login changed");
    // The tray's check mark.
    crate::tray_link::changed_here(app);
    Ok(now)
}

#[tauri::command]
pub async fn open_logs_folder<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    let state = app.state::<AppState>();
    let dir = &hardcover_sync_desktop::logs::log_dir(&state.core.paths().log_dir);
    std::fs::create_dir_all(dir).map_err(|e| IpcError::internal(format!("cannot create {}: {e}", dir.display())))?;
    state.opener.open(dir).map_err(IpcError::internal)
}

/// The page calls this once its first rows are on screen. The log line is what the e2e benchmark
/// reads ("Open shelves" → first rows), and what a user's report of a slow window can be checked
/// against: with where the page's part went (ms since the page started: its script, the first
/// shelf asked for, its rows in the DOM).
#[tauri::command]
pub async fn report_first_rows<R: Runtime>(
    app: AppHandle<R>,
    page_ms: f64,
    script_ms: Option<f64>,
    asked_ms: Option<f64>,
    rows_ms: Option<f64>,
) -> IpcResult<()> {
    if let Some(waited) = app.try_state::<crate::window::OpenedAt>().and_then(|c| c.take()) {
        let at = |ms: Option<f64>| ms.map_or_else(|| "?".to_owned(), |ms| format!("{ms:.0}"));
        tracing::info!(
            "shelves window: first rows on screen {} ms after it was asked for ({page_ms:.0} ms after the page \
             started: script at {}, rows asked at {}, in the page at {})",
            waited.as_millis(),
            at(script_ms),
            at(asked_ms),
            at(rows_ms)
        );
    }
    Ok(())
}
