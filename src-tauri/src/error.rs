//! The one error type every command returns. The UI switches on `code`, never on `message`.

use hardcover_sync::hardcover::token::TokenError;
use serde::Serialize;

/// Stable codes, shared with `ui/` (see the IPC contract). Adding one is a contract change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
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

    /// For commands whose core part has not landed yet: the UI can build against the contract
    /// and show a clear message instead of a hang.
    pub fn not_available() -> Self {
        Self::internal("not available yet")
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
}
