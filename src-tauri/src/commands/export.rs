//! Exporting books to CSV or JSON. Needs `hardcover_sync::export`.

use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::model::{ExportFormat, ExportResult, ExportSelection};
use crate::state::AppState;

#[tauri::command]
pub async fn export_books(
    _state: State<'_, AppState>,
    selection: ExportSelection,
    format: ExportFormat,
    path: String,
) -> IpcResult<ExportResult> {
    if path.trim().is_empty() {
        return Err(IpcError::invalid_input("choose a file to export to"));
    }
    if !selection.all
        && selection.status_ids.is_empty()
        && selection.list_ids.is_empty()
        && selection.book_ids.is_empty()
    {
        return Err(IpcError::invalid_input("select at least one shelf, list or book to export"));
    }
    let _ = format;
    Err(IpcError::not_available())
}
