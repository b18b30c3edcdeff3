//! [`ShelfError`]: everything a shelf operation can fail with, each with a stable [`ErrorCode`]
//! the desktop shell passes to the window (which switches on the code, never on the text).

use crate::app::AppError;
use crate::error::ErrorCode;
use crate::hardcover::{HardcoverError, TokenError};
use crate::sources::SourceError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ShelfError {
    #[error("not connected to Hardcover: connect Hardcover first (Connect Hardcover… in the tray)")]
    NotConnected,
    #[error(transparent)]
    Hardcover(#[from] HardcoverError),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A cover could not be fetched. `offline` when the host could not be reached at all.
    #[error("cannot download the cover from {url}: {reason}")]
    Cover { url: String, reason: String, offline: bool },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl ShelfError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotConnected => ErrorCode::NotConnected,
            Self::Hardcover(e) => Self::hardcover_code(e),
            Self::InvalidInput(_) => ErrorCode::InvalidInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Source(_) => ErrorCode::SourceError,
            Self::Cover { offline: true, .. } => ErrorCode::Offline,
            // Cover URLs come from Hardcover's catalog: a bad one is Hardcover's data, not ours.
            Self::Cover { .. } => ErrorCode::HardcoverError,
            Self::Store(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What a Hardcover failure means to the user, whichever operation met it.
    pub fn hardcover_code(e: &HardcoverError) -> ErrorCode {
        match e {
            HardcoverError::Token(TokenError::NotConnected) => ErrorCode::NotConnected,
            e if e.needs_reconnect() => ErrorCode::ReconnectNeeded,
            HardcoverError::RateLimited { .. } | HardcoverError::DailyLimit { .. } => ErrorCode::RateLimited,
            HardcoverError::Network { .. } | HardcoverError::Timeout => ErrorCode::Offline,
            _ => ErrorCode::HardcoverError,
        }
    }

    /// True when retrying the same call later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Hardcover(e) => e.is_transient(),
            Self::Cover { offline, .. } => *offline,
            _ => false,
        }
    }
}

impl From<AppError> for ShelfError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotConnected => Self::NotConnected,
            AppError::Hardcover(h) => Self::Hardcover(h),
            AppError::Store(s) => Self::Store(s),
            other => Self::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn codes_follow_the_hardcover_error_kind() {
        let code = |e: HardcoverError| ShelfError::from(e).code();
        assert_eq!(
            code(HardcoverError::Unauthorized),
            ErrorCode::ReconnectNeeded,
            "a rejected token needs a reconnect"
        );
        assert_eq!(
            code(HardcoverError::InsufficientScope { scope: "write:lists".into() }),
            ErrorCode::ReconnectNeeded,
            "a missing scope is fixed by reconnecting"
        );
        assert_eq!(code(HardcoverError::Token(TokenError::NotConnected)), ErrorCode::NotConnected);
        assert_eq!(code(HardcoverError::RateLimited { retry_after: Duration::from_secs(3) }), ErrorCode::RateLimited);
        assert_eq!(code(HardcoverError::DailyLimit { resets_in: None }), ErrorCode::RateLimited);
        assert_eq!(code(HardcoverError::Network { message: "refused".into() }), ErrorCode::Offline);
        assert_eq!(code(HardcoverError::Timeout), ErrorCode::Offline, "a timeout is shown as offline");
        assert_eq!(code(HardcoverError::Server { status: 503, message: None }), ErrorCode::HardcoverError);
        assert_eq!(ShelfError::from(AppError::NotConnected).code(), ErrorCode::NotConnected);
        assert_eq!(ShelfError::InvalidInput("x".into()).code(), ErrorCode::InvalidInput);
    }
}
