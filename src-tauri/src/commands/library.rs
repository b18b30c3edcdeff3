//! The Hardcover library: shelves, books, edits. All wait for the core's library cache.

use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::model::{BookDetail, BookRow, Edition, SearchHit, ShelfKind, Shelves};
use crate::state::AppState;

#[tauri::command]
pub async fn list_shelves(_state: State<'_, AppState>) -> IpcResult<Shelves> {
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn list_books(_state: State<'_, AppState>, kind: ShelfKind, id: i64) -> IpcResult<Vec<BookRow>> {
    let _ = (kind, id);
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn book_detail(_state: State<'_, AppState>, book_id: i64) -> IpcResult<BookDetail> {
    let _ = book_id;
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn set_status(_state: State<'_, AppState>, book_id: i64, status_id: u8) -> IpcResult<BookRow> {
    if !(1..=6).contains(&status_id) {
        return Err(IpcError::invalid_input(format!("status {status_id} does not exist (1 to 6)")));
    }
    let _ = book_id;
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn set_rating(_state: State<'_, AppState>, book_id: i64, rating: Option<f64>) -> IpcResult<BookRow> {
    if let Some(r) = rating
        && !((0.5..=5.0).contains(&r) && (r * 2.0).fract() == 0.0)
    {
        return Err(IpcError::invalid_input("a rating is 0.5 to 5 in half stars"));
    }
    let _ = book_id;
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn add_to_list(_state: State<'_, AppState>, book_id: i64, list_id: i64) -> IpcResult<()> {
    let _ = (book_id, list_id);
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn remove_from_list(_state: State<'_, AppState>, book_id: i64, list_id: i64) -> IpcResult<()> {
    let _ = (book_id, list_id);
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn refresh_library(_state: State<'_, AppState>) -> IpcResult<Shelves> {
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn search_books(_state: State<'_, AppState>, query: String) -> IpcResult<Vec<SearchHit>> {
    if query.trim().is_empty() {
        return Err(IpcError::invalid_input("type a title, author or ISBN to search for"));
    }
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn book_editions(_state: State<'_, AppState>, book_id: i64) -> IpcResult<Vec<Edition>> {
    let _ = book_id;
    Err(IpcError::not_available())
}

/// The cached cover file, for `convertFileSrc` (the asset protocol is scoped to the covers dir).
#[tauri::command]
pub async fn cover_path(_state: State<'_, AppState>, book_id: i64) -> IpcResult<Option<String>> {
    let _ = book_id;
    Err(IpcError::not_available())
}
