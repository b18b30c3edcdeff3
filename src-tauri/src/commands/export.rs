//! Exporting books to CSV (Goodreads columns) or JSON, from the local library copy, to a file the
//! user picks in the native save dialog this process opens (the page never names a path).

use std::io::{BufWriter, Write};
use std::path::Path;

use hardcover_sync::export::{ExportError, ExportFormat, ExportResult, Progress};
use hardcover_sync::store::library::Selection;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::{IpcError, IpcResult};
use crate::events;
use crate::save_dialog::{SaveRequest, default_file_name, export_folder};
use crate::state::AppState;

/// How often (in rows) the window hears about progress: enough for a bar, not a flood.
const PROGRESS_EVERY: usize = 50;

/// Ask where to save, then export there. `None` when the user cancelled the save dialog.
#[tauri::command]
pub async fn export_books<R: Runtime>(
    app: AppHandle<R>,
    selection: Selection,
    format: ExportFormat,
) -> IpcResult<Option<ExportResult>> {
    if !selection.all
        && selection.status_ids.is_empty()
        && selection.list_ids.is_empty()
        && selection.book_ids.is_empty()
    {
        return Err(IpcError::invalid_input("select at least one shelf, list or book to export"));
    }
    let state = app.state::<AppState>();
    let core = state.core.app()?;
    let request = SaveRequest {
        title: "Export books".into(),
        folder: export_folder(),
        file_name: default_file_name(&selection, format, chrono::Local::now().date_naive()),
        format,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    state.save_dialog.ask(request, Box::new(move |chosen| drop(tx.send(chosen))));
    // A dialog dropped without an answer is a cancel too.
    let Some(target) = rx.await.ok().flatten() else { return Ok(None) };
    let mut progress = |done: usize, total: usize| {
        if done.is_multiple_of(PROGRESS_EVERY) || done == total {
            let p = Progress { done: done as u32, total: total as u32 };
            let _ = app.emit(events::EXPORT_PROGRESS, p);
        }
    };
    let rows = write_export(&target, |out| core.export(&selection, format, out, &mut progress))?;
    tracing::info!(rows, "exported to {}", target.display());
    Ok(Some(ExportResult { rows: rows as u32, path: target.display().to_string() }))
}

/// Write next to `target` and rename over it only once complete, so a failed export never leaves
/// a truncated file where the user's previous export was.
fn write_export(target: &Path, write: impl FnOnce(&mut dyn Write) -> Result<usize, ExportError>) -> IpcResult<usize> {
    let name = target
        .file_name()
        .ok_or_else(|| IpcError::invalid_input(format!("{} is not a file name: choose a file", target.display())))?;
    let tmp = target.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let file = std::fs::File::create(&tmp).map_err(|e| {
        IpcError::invalid_input(format!("cannot write to {}: {e}. Choose another folder", target.display()))
    })?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out).and_then(|n| {
        out.flush()?;
        Ok(n)
    });
    drop(out);
    match result {
        Ok(n) => {
            std::fs::rename(&tmp, target).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                IpcError::invalid_input(format!("cannot write to {}: {e}", target.display()))
            })?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(match e {
                ExportError::Selection(m) => IpcError::invalid_input(m),
                ExportError::Store(s) => s.into(),
                other => IpcError::internal(other.to_string()),
            })
        }
    }
}
