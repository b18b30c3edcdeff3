//! The Hardcover library: shelves, books, edits. Listings read the local cache (offline first);
//! edits go to Hardcover, then into the cache (`hardcover_sync::shelf`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use hardcover_sync::app::{ShelfKind, Shelves};
use hardcover_sync::shelf::{self, BookDetail, BookRow, EditionInfo, SearchHit, ShelfRef};
use hardcover_sync::store::journal::HighlightView;

use crate::error::{IpcError, IpcResult};
use crate::events;
use crate::state::AppState;
use crate::window::OpenedAt;

/// The local copy at once, so the window never waits on the network to show rows; brought up to
/// date in the background, and a `library-changed` event carries the shelves when that changed
/// anything. Only the very first time, with nothing local to show, is the import awaited.
#[tauri::command]
pub async fn list_shelves<R: Runtime>(app: AppHandle<R>) -> IpcResult<Shelves> {
    let core_app = app.state::<AppState>().core.app()?;
    let local = core_app.shelves()?;
    if local.updated_at.is_none() {
        until_shown(&app).await;
        return Ok(core_app.shelves_fresh().await?);
    }
    refresh_in_background(app, core_app);
    Ok(local)
}

/// A window started ahead (the tray's menu opened) may never be looked at: it asks Hardcover
/// nothing until it is shown, so a glance at the menu costs none of the user's requests.
async fn until_shown<R: Runtime>(app: &AppHandle<R>) {
    while app.try_state::<OpenedAt>().is_some_and(|o| !o.asked_yet()) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// How long the background refresh waits before it starts (see `refresh_in_background`).
pub(crate) const REFRESH_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// One background refresh at a time: opening the window repeatedly must not queue imports.
static REFRESHING: AtomicBool = AtomicBool::new(false);

fn refresh_in_background<R: Runtime>(app: AppHandle<R>, core_app: Arc<hardcover_sync::app::App>) {
    if REFRESHING.swap(true, Ordering::AcqRel) {
        return;
    }
    tauri::async_runtime::spawn(async move {
        // A window that just opened asks for the shelves first: let it read and draw its first
        // rows before the refresh takes the database and the CPU (importing a large library
        // is seconds of both).
        tokio::time::sleep(REFRESH_AFTER).await;
        until_shown(&app).await;
        let result = core_app.shelves_refreshed().await;
        REFRESHING.store(false, Ordering::Release);
        match result {
            Ok((shelves, true)) => {
                let _ = app.emit(events::LIBRARY_CHANGED, shelves);
            }
            Ok((_, false)) => {}
            Err(e) => tracing::warn!("background library refresh: {e}"),
        }
    });
}

#[tauri::command]
pub async fn list_books(state: State<'_, AppState>, kind: ShelfKind, id: i64) -> IpcResult<Vec<BookRow>> {
    let shelf = match kind {
        ShelfKind::Status => ShelfRef::Status(id),
        ShelfKind::List => ShelfRef::List(id),
    };
    Ok(shelf::books(&*state.core.app()?, shelf).await?)
}

#[tauri::command]
pub async fn book_detail(state: State<'_, AppState>, book_id: i64) -> IpcResult<BookDetail> {
    Ok(shelf::book_detail(&*state.core.app()?, book_id).await?)
}

/// Search every shelf and list of the local copy at once (the window's "All shelves" search).
#[tauri::command]
pub async fn search_library(state: State<'_, AppState>, query: String) -> IpcResult<Vec<BookRow>> {
    Ok(shelf::search_library(&*state.core.app()?, &query).await?)
}

/// Open the book's page on hardcover.app in the browser. The page sends only the book's id: the
/// address is made by the core from the local copy's slug, never taken from the page.
#[tauri::command]
pub async fn open_on_hardcover(state: State<'_, AppState>, book_id: i64) -> IpcResult<()> {
    let url = shelf::links::book_page_of(state.core.app()?.store(), book_id)?;
    (state.links)(&url).map_err(|e| IpcError::internal(format!("cannot open {url} in the browser: {e}")))
}

/// The book's highlights as sent to the reading journal (the local copy: no request).
#[tauri::command]
pub async fn book_highlights(state: State<'_, AppState>, book_id: i64) -> IpcResult<Vec<HighlightView>> {
    Ok(state.core.app()?.highlights_of_book(book_id)?)
}

#[tauri::command]
pub async fn set_status(state: State<'_, AppState>, book_id: i64, status_id: u8) -> IpcResult<BookRow> {
    if !(1..=6).contains(&status_id) {
        return Err(IpcError::invalid_input(format!("status {status_id} does not exist (1 to 6)")));
    }
    Ok(shelf::set_status(&*state.core.app()?, book_id, i64::from(status_id)).await?)
}

#[tauri::command]
pub async fn set_rating(state: State<'_, AppState>, book_id: i64, rating: Option<f64>) -> IpcResult<BookRow> {
    if let Some(r) = rating
        && !((0.5..=5.0).contains(&r) && (r * 2.0).fract() == 0.0)
    {
        return Err(IpcError::invalid_input("a rating is 0.5 to 5 in half stars"));
    }
    Ok(shelf::set_rating(&*state.core.app()?, book_id, rating).await?)
}

#[tauri::command]
pub async fn add_to_list(state: State<'_, AppState>, book_id: i64, list_id: i64) -> IpcResult<()> {
    Ok(shelf::add_to_list(&*state.core.app()?, book_id, list_id).await?)
}

#[tauri::command]
pub async fn remove_from_list(state: State<'_, AppState>, book_id: i64, list_id: i64) -> IpcResult<()> {
    Ok(shelf::remove_from_list(&*state.core.app()?, book_id, list_id).await?)
}

#[tauri::command]
pub async fn refresh_library(state: State<'_, AppState>) -> IpcResult<Shelves> {
    let app = state.core.app()?;
    let report = app.refresh_library(false).await;
    // A failed refresh is reported on every path: the cached shelves are not passed off as fresh.
    let report = report?;
    tracing::info!(?report, "library refreshed");
    Ok(app.shelves()?)
}

#[tauri::command]
pub async fn search_books(state: State<'_, AppState>, query: String) -> IpcResult<Vec<SearchHit>> {
    if query.trim().is_empty() {
        return Err(IpcError::invalid_input("type a title, author or ISBN to search for"));
    }
    Ok(shelf::search(&*state.core.app()?, &query).await?)
}

#[tauri::command]
pub async fn book_editions(state: State<'_, AppState>, book_id: i64) -> IpcResult<Vec<EditionInfo>> {
    Ok(shelf::editions(&*state.core.app()?, book_id).await?)
}

/// The cached cover file, for `convertFileSrc` (the asset protocol is scoped to the covers dir).
#[tauri::command]
pub async fn cover_path(state: State<'_, AppState>, book_id: i64) -> IpcResult<Option<String>> {
    let path = shelf::cover_path(&*state.core.app()?, book_id).await?;
    Ok(path.map(|p| p.to_string_lossy().into_owned()))
}
