//! Sync runs, their history and matching.

use tauri::State;

use crate::convert;
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::model::{PlanAction, RunItem, RunSummary, SearchHit, SyncStatus, UnmatchedItem};
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
pub async fn sync_preview(state: State<'_, AppState>) -> IpcResult<Vec<PlanAction>> {
    // A dry run: reads both sides and plans, changes nothing on Hardcover or the servers.
    let outcome = state.core.app()?.sync(true).await?;
    if let Some(stopped) = outcome.stopped {
        return Err(stopped.into());
    }
    Ok(outcome
        .summary
        .items
        .into_iter()
        .map(|i| PlanAction {
            detail: i.reason.unwrap_or_else(|| i.result.as_str().to_owned()),
            source: i.source,
            item_id: i.id,
            title: i.title,
            action: i.action.as_str().to_owned(),
        })
        .collect())
}

#[tauri::command]
pub async fn sync_runs(state: State<'_, AppState>, limit: u32) -> IpcResult<Vec<RunSummary>> {
    let runs = state.core.app()?.store().runs_recent(limit.clamp(1, 500))?;
    Ok(runs.iter().map(convert::run_summary).collect())
}

#[tauri::command]
pub async fn run_items(state: State<'_, AppState>, run_id: i64) -> IpcResult<Vec<RunItem>> {
    let run = state.core.app()?.store().run_get(run_id)?;
    let run =
        run.ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("sync run {run_id} is not in the history")))?;
    Ok(convert::run_items(&run))
}

#[tauri::command]
pub async fn unmatched_items(state: State<'_, AppState>) -> IpcResult<Vec<UnmatchedItem>> {
    let app = state.core.app()?;
    let items = hardcover_sync::shelf::unmatched_items(app.store())?;
    Ok(items
        .into_iter()
        .map(|u| UnmatchedItem {
            source: u.source,
            item_id: u.item_id,
            title: u.title,
            authors: u.authors,
            candidates: u
                .candidates
                .into_iter()
                .map(|c| SearchHit {
                    book_id: c.book_id,
                    title: c.title,
                    authors: c.authors,
                    year: None,
                    cover_url: None,
                })
                .collect(),
        })
        .collect())
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
