//! Sync runs, their history and matching.

use tauri::State;

use hardcover_sync::app::status::SyncStatus;
use hardcover_sync::shelf::UnmatchedItem;
use hardcover_sync::store::devices::DeviceView;
use hardcover_sync::store::item_prefs::ExcludedItem;
use hardcover_sync::sync::report::{PlanPreview, RunItem, RunSummary};

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> IpcResult<RunSummary> {
    match &state.tray {
        Some(tray) => tray.sync_now().await,
        None => state.core.sync_now().await,
    }
}

#[tauri::command]
pub async fn set_paused(state: State<'_, AppState>, paused: bool) -> IpcResult<SyncStatus> {
    match &state.tray {
        Some(tray) => tray.set_paused(paused).await,
        None => Ok(state.core.set_paused(paused)),
    }
}

#[tauri::command]
pub async fn sync_preview(state: State<'_, AppState>) -> IpcResult<PlanPreview> {
    // A dry run: reads both sides and plans, changes nothing on Hardcover or the servers.
    let outcome = state.core.app()?.sync(true).await?;
    if let Some(stopped) = outcome.stopped {
        return Err(stopped.into());
    }
    Ok(PlanPreview::of(outcome.summary))
}

#[tauri::command]
pub async fn sync_runs(state: State<'_, AppState>, limit: u32) -> IpcResult<Vec<RunSummary>> {
    Ok(state.core.app()?.runs(limit.clamp(1, 500))?)
}

#[tauri::command]
pub async fn run_items(state: State<'_, AppState>, run_id: i64) -> IpcResult<Vec<RunItem>> {
    Ok(state.core.app()?.run_items(run_id)?)
}

#[tauri::command]
pub async fn unmatched_items(state: State<'_, AppState>) -> IpcResult<Vec<UnmatchedItem>> {
    Ok(state.core.app()?.unmatched()?)
}

#[tauri::command]
pub async fn link_item(
    state: State<'_, AppState>,
    source: String,
    item_id: String,
    book_id: i64,
    edition_id: Option<i64>,
) -> IpcResult<()> {
    if source.trim().is_empty() || item_id.trim().is_empty() {
        return Err(IpcError::invalid_input("which source item to link is missing"));
    }
    Ok(state.core.app()?.link(&source, &item_id, book_id, edition_id)?)
}

#[tauri::command]
pub async fn unlink_item(state: State<'_, AppState>, source: String, item_id: String) -> IpcResult<()> {
    Ok(state.core.app()?.unlink(&source, &item_id)?)
}

/// "Never sync this book" (`excluded` false: sync it again), kept across syncs.
#[tauri::command]
pub async fn set_item_excluded(
    state: State<'_, AppState>,
    source: String,
    item_id: String,
    excluded: bool,
) -> IpcResult<()> {
    if source.trim().is_empty() || item_id.trim().is_empty() {
        return Err(IpcError::invalid_input("which source item to exclude is missing"));
    }
    Ok(state.core.app()?.exclude(&source, &item_id, excluded)?)
}

/// "Don't send highlights" for one item (`send` true: send them again).
#[tauri::command]
pub async fn set_item_highlights(
    state: State<'_, AppState>,
    source: String,
    item_id: String,
    send: bool,
) -> IpcResult<()> {
    Ok(state.core.app()?.send_highlights(&source, &item_id, send)?)
}

#[tauri::command]
pub async fn excluded_items(state: State<'_, AppState>) -> IpcResult<Vec<ExcludedItem>> {
    Ok(state.core.app()?.excluded()?)
}

/// The e-readers seen plugged in, with what the user chose for each.
#[tauri::command]
pub async fn devices(state: State<'_, AppState>) -> IpcResult<Vec<DeviceView>> {
    Ok(state.core.app()?.devices()?)
}

/// The user confirmed the device's first sync (`always`: sync it whenever it is plugged in).
#[tauri::command]
pub async fn confirm_device(state: State<'_, AppState>, id: String, always: bool) -> IpcResult<()> {
    if !state.core.app()?.confirm_device(&id, always)? {
        return Err(IpcError::new(ErrorCode::NotFound, format!("no device {id} is known: plug it in again")));
    }
    Ok(())
}

/// Forget a device: plugged in again, its first sync is planned and confirmed again.
#[tauri::command]
pub async fn forget_device(state: State<'_, AppState>, id: String) -> IpcResult<()> {
    state.core.app()?.forget_device(&id)?;
    Ok(())
}
