//! Connecting to Hardcover. The token goes in (`connect_token`) and never comes back out.

use hardcover_sync::secret::Secret;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::{IpcError, IpcResult};
use crate::model::{AppStatus, DisconnectResult};
use crate::state::AppState;

/// Runs the OAuth flow in the browser; resolves when it is done. Needs `hardcover_sync::auth`.
#[tauri::command]
pub async fn connect_browser(_state: State<'_, AppState>) -> IpcResult<AppStatus> {
    Err(IpcError::not_available())
}

#[tauri::command]
pub async fn cancel_connect(_state: State<'_, AppState>) -> IpcResult<()> {
    Err(IpcError::not_available())
}

/// A pasted personal token. It arrives as a `Secret`, so even a debug log of the arguments
/// prints `<redacted>`.
#[tauri::command]
pub async fn connect_token(state: State<'_, AppState>, token: Secret) -> IpcResult<AppStatus> {
    if token.expose().trim().is_empty() {
        return Err(IpcError::invalid_input("paste the token from https://hardcover.app/account/api"));
    }
    state.core.connect_token(token.expose()).await
}

#[tauri::command]
pub async fn disconnect<R: Runtime>(app: AppHandle<R>) -> IpcResult<DisconnectResult> {
    disconnect_inner(&app).await
}

/// Shared with the tray's Disconnect item.
pub async fn disconnect_inner<R: Runtime>(app: &AppHandle<R>) -> IpcResult<DisconnectResult> {
    let out = app.state::<AppState>().core.disconnect().await?;
    let message = out.note.unwrap_or_else(|| {
        if out.revoked {
            "Disconnected: Hardcover revoked this app's access and the sign-in was deleted here.".into()
        } else {
            "Disconnected: nothing was stored here.".into()
        }
    });
    Ok(DisconnectResult { revoked: out.revoked, message })
}
