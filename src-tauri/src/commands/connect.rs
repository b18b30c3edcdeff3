//! Connecting to Hardcover. The token goes in (`connect_token`) and never comes back out.

use hardcover_sync::auth::system_opener;
use hardcover_sync::secret::Secret;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::error::{IpcError, IpcResult};
use hardcover_sync::app::status::{AppStatus, ConnectResult, DisconnectResult};

use crate::events;
use crate::state::AppState;

/// Runs the OAuth flow in the browser; resolves when it is done. The window also hears the
/// outcome as a `connect-result` event (the tray's own window may have started it).
#[tauri::command]
pub async fn connect_browser<R: Runtime>(app: AppHandle<R>) -> IpcResult<AppStatus> {
    let state = app.state::<AppState>();
    let core = &state.core;
    let opener = if core.is_demo() { crate::demo::follow_redirect_opener() } else { system_opener() };
    let result = core.connect_browser(opener).await;
    let event = match &result {
        Ok(s) => ConnectResult {
            ok: true,
            message: format!("Connected as {}", s.username.as_deref().unwrap_or("your Hardcover account")),
        },
        Err(e) => ConnectResult { ok: false, message: e.message.clone() },
    };
    if result.is_ok() {
        crate::tray_link::changed_here(&app);
    }
    let _ = app.emit(events::CONNECT_RESULT, event);
    result
}

/// Stops a browser sign-in that is waiting (its `connect_browser` then fails); nothing to stop
/// is not an error.
#[tauri::command]
pub async fn cancel_connect(state: State<'_, AppState>) -> IpcResult<()> {
    if state.core.cancel_connect() {
        tracing::info!("browser sign-in cancelled");
    }
    Ok(())
}

/// A pasted personal token. It arrives as a `Secret`, so even a debug log of the arguments
/// prints `<redacted>`.
#[tauri::command]
pub async fn connect_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: Secret,
) -> IpcResult<AppStatus> {
    if token.expose().trim().is_empty() {
        return Err(IpcError::invalid_input("paste the token from https://hardcover.app/account/api"));
    }
    let status = state.core.connect_token(token.expose()).await?;
    crate::tray_link::changed_here(&app);
    Ok(status)
}

#[tauri::command]
pub async fn disconnect<R: Runtime>(app: AppHandle<R>) -> IpcResult<DisconnectResult> {
    let out = app.state::<AppState>().core.disconnect().await?;
    crate::tray_link::changed_here(&app);
    Ok(DisconnectResult::from(out))
}
