use tauri::State;

use crate::error::IpcResult;
use crate::model::AppStatus;
use crate::state::AppState;

#[tauri::command]
pub async fn get_status(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    Ok(state.core.status())
}
