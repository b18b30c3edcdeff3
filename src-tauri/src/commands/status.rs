use tauri::State;

use hardcover_sync::app::status::AppStatus;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn get_status(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    // Tokens may have expired or been revoked since the last look: auth answers locally.
    state.core.refresh_connection().await;
    Ok(state.core.status())
}
