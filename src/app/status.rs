//! What the app shows about itself: the connection, the sync's state, the answers to connecting
//! and disconnecting. The desktop fills these from its own bookkeeping (who runs the syncs, the
//! scheduler) and hands them to the window as they are.

use serde::{Deserialize, Serialize};

use crate::config::TokenStoreKind;
use crate::sync::observe::SyncProgress;
use crate::sync::report::RunSummary;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub connected: bool,
    pub username: Option<String>,
    pub user_id: Option<i64>,
    pub token_store: TokenStoreKind,
    pub reconnect_needed: bool,
    pub reconnect_reason: Option<String>,
    pub sync: SyncStatus,
    pub offline: bool,
    pub demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Idle,
    Syncing,
    Paused,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: SyncState,
    pub last_run_at: Option<String>,
    pub last_summary: Option<RunSummary>,
    pub progress: Option<SyncProgress>,
    pub next_run_at: Option<String>,
}

/// Payload of the window's `connect-result` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectResult {
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DisconnectResult {
    pub revoked: bool,
    pub message: String,
}

impl From<crate::auth::Disconnected> for DisconnectResult {
    fn from(out: crate::auth::Disconnected) -> Self {
        let message = out.note.unwrap_or_else(|| {
            if out.revoked {
                "Disconnected: Hardcover revoked this app's access and the sign-in was deleted here.".into()
            } else {
                "Disconnected: nothing was stored here.".into()
            }
        });
        Self { revoked: out.revoked, message }
    }
}
