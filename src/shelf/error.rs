//! [`ShelfError`]: everything a shelf operation can fail with, each with a stable [`ShelfError::code`]
//! the desktop shell passes to the window (which switches on the code, never on the text).

use crate::app::AppError;
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
    /// `not_connected`, `reconnect_needed`, `offline`, `rate_limited`, `invalid_input`, `not_found`,
    /// `hardcover_error`, `source_error` or `internal` (IPC.md).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConnected | Self::Hardcover(HardcoverError::Token(TokenError::NotConnected)) => "not_connected",
            Self::Hardcover(e) if e.needs_reconnect() => "reconnect_needed",
            Self::Hardcover(HardcoverError::RateLimited { .. } | HardcoverError::DailyLimit { .. }) => "rate_limited",
            Self::Hardcover(HardcoverError::Network { .. } | HardcoverError::Timeout) => "offline",
            Self::Hardcover(_) => "hardcover_error",
            Self::InvalidInput(_) => "invalid_input",
            Self::NotFound(_) => "not_found",
            Self::Source(_) => "source_error",
            Self::Cover { offline: true, .. } => "offline",
            // Cover URLs come from Hardcover's catalog: a bad one is Hardcover's data, not ours.
            Self::Cover { .. } => "hardcover_error",
            Self::Store(_) | Self::Internal(_) => "internal",
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
        assert_eq!(code(HardcoverError::Unauthorized), "reconnect_needed", "a rejected token needs a reconnect");
        assert_eq!(
            code(HardcoverError::InsufficientScope { scope: "write:lists".into() }),
            "reconnect_needed",
            "a missing scope is fixed by reconnecting"
        );
        assert_eq!(code(HardcoverError::Token(TokenError::NotConnected)), "not_connected");
        assert_eq!(code(HardcoverError::RateLimited { retry_after: Duration::from_secs(3) }), "rate_limited");
        assert_eq!(code(HardcoverError::DailyLimit { resets_in: None }), "rate_limited");
        assert_eq!(code(HardcoverError::Network { message: "refused".into() }), "offline");
        assert_eq!(code(HardcoverError::Timeout), "offline", "a timeout is shown as offline");
        assert_eq!(code(HardcoverError::Server { status: 503, message: None }), "hardcover_error");
        assert_eq!(ShelfError::from(AppError::NotConnected).code(), "not_connected");
        assert_eq!(ShelfError::InvalidInput("x".into()).code(), "invalid_input");
    }
}
