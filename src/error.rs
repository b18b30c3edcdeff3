//! The one error a front door hands on: a stable [`ErrorCode`] and a message for people.
//!
//! Every core error says which code it is ([`ShelfError::code`], [`AppError::code`],
//! [`AuthError::code`](crate::auth::AuthError::code), …), typed, so no one matches on text or on
//! code strings. The desktop's commands answer with [`IpcError`] (the window switches on `code`);
//! the CLI prints the message.

use serde::{Deserialize, Serialize};

use crate::app::AppError;
use crate::auth::AuthError;
use crate::hardcover::TokenError;
use crate::shelf::ShelfError;
use crate::store::StoreError;
use crate::sync::port::PortError;

/// Stable codes, shared with `ui/` through the generated bindings. Adding one is a contract change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

pub type IpcResult<T> = Result<T, IpcError>;

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

/// Each core error already knows its code; this only pairs it with the message.
macro_rules! coded {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for IpcError {
            fn from(e: $error) -> Self {
                Self::new(e.code(), e.to_string())
            }
        }
    )*};
}
coded!(ShelfError, AppError, AuthError, TokenError, StoreError, PortError);

impl TokenError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TokenError::NotConnected => ErrorCode::NotConnected,
            TokenError::ReconnectNeeded(_) => ErrorCode::ReconnectNeeded,
            TokenError::Store(_) => ErrorCode::Internal,
        }
    }
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::Internal
    }
}

impl PortError {
    pub fn code(&self) -> ErrorCode {
        match self {
            PortError::Offline(_) => ErrorCode::Offline,
            PortError::RateLimited { .. } => ErrorCode::RateLimited,
            PortError::Unauthorized => ErrorCode::ReconnectNeeded,
            PortError::Rejected(_) | PortError::Other(_) => ErrorCode::HardcoverError,
        }
    }
}

impl AuthError {
    pub fn code(&self) -> ErrorCode {
        match self {
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
        }
    }
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Auth(a) => a.code(),
            AppError::NotConnected => ErrorCode::NotConnected,
            AppError::Store(s) => s.code(),
            AppError::Hardcover(h) => ShelfError::hardcover_code(h),
            AppError::SyncBusy { .. } => ErrorCode::Busy,
            AppError::Import(_) | AppError::Lock(_) => ErrorCode::Internal,
        }
    }
}

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
