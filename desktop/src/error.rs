//! The one error type every command returns. The UI switches on `code`, never on `message`.

use hardcover_sync::app::AppError;
use hardcover_sync::auth::AuthError;
use hardcover_sync::hardcover::token::TokenError;
use hardcover_sync::shelf::ShelfError;
use hardcover_sync::store::StoreError;
use hardcover_sync::sync::port::PortError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable codes, shared with `ui/` (see the IPC contract). Adding one is a contract change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotConnected,
    ReconnectNeeded,
    Offline,
    RateLimited,
    InvalidInput,
    NotFound,
    HardcoverError,
    SourceError,
    Busy,
    Internal,
}

/// Serializes as `{ "code": "...", "message": "..." }`. The message is for people: it says what
/// to fix, and never holds a secret (core errors wrap secrets in `Secret`, which prints redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

impl From<TokenError> for IpcError {
    fn from(e: TokenError) -> Self {
        let code = match e {
            TokenError::NotConnected => ErrorCode::NotConnected,
            TokenError::ReconnectNeeded(_) => ErrorCode::ReconnectNeeded,
            TokenError::Store(_) => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ShelfError> for IpcError {
    fn from(e: ShelfError) -> Self {
        // The core names its codes after the contract; an unknown one is a contract bug, shown
        // as internal rather than guessed.
        let code = match e.code() {
            "not_connected" => ErrorCode::NotConnected,
            "reconnect_needed" => ErrorCode::ReconnectNeeded,
            "offline" => ErrorCode::Offline,
            "rate_limited" => ErrorCode::RateLimited,
            "invalid_input" => ErrorCode::InvalidInput,
            "not_found" => ErrorCode::NotFound,
            "hardcover_error" => ErrorCode::HardcoverError,
            "source_error" => ErrorCode::SourceError,
            _ => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

impl From<AppError> for IpcError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Auth(a) => a.into(),
            other => ShelfError::from(other).into(),
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        ShelfError::Store(e).into()
    }
}

impl From<PortError> for IpcError {
    fn from(e: PortError) -> Self {
        let code = match e {
            PortError::Offline(_) => ErrorCode::Offline,
            PortError::RateLimited { .. } => ErrorCode::RateLimited,
            PortError::Unauthorized => ErrorCode::ReconnectNeeded,
            PortError::Rejected(_) | PortError::Other(_) => ErrorCode::HardcoverError,
        };
        Self::new(code, e.to_string())
    }
}

impl From<AuthError> for IpcError {
    fn from(e: AuthError) -> Self {
        let code = match &e {
            // What the user pasted or granted is not enough: they fix it, not us.
            AuthError::TokenRejected { .. }
            | AuthError::NoWriteAccess { .. }
            | AuthError::MissingScopes(_)
            | AuthError::NoClientId
            | AuthError::Denied => ErrorCode::InvalidInput,
            AuthError::Unreachable { .. } | AuthError::Timeout(_) => ErrorCode::Offline,
            AuthError::Authorization(_)
            | AuthError::CodeExchange(_)
            | AuthError::IssuerMismatch { .. }
            | AuthError::Protocol(_)
            | AuthError::Probe(_) => ErrorCode::HardcoverError,
            _ => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let v = serde_json::to_value(IpcError::new(ErrorCode::RateLimited, "slow down")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "rate_limited", "message": "slow down"}),
            "the UI relies on exactly {{code, message}} with snake_case codes"
        );
    }

    #[test]
    fn token_errors_keep_their_meaning() {
        assert_eq!(IpcError::from(TokenError::NotConnected).code, ErrorCode::NotConnected);
        assert_eq!(IpcError::from(TokenError::ReconnectNeeded("revoked".into())).code, ErrorCode::ReconnectNeeded);
    }

    #[test]
    fn shelf_errors_keep_their_stable_code() {
        assert_eq!(
            IpcError::from(ShelfError::NotConnected).code,
            ErrorCode::NotConnected,
            "the UI shows Connect on not_connected, so the code must survive the mapping"
        );
        assert_eq!(IpcError::from(ShelfError::NotFound("list 9".into())).code, ErrorCode::NotFound);
        assert_eq!(IpcError::from(AppError::NotConnected).code, ErrorCode::NotConnected);
    }
}
