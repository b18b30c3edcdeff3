//! Where the Hardcover client gets its bearer token.
//!
//! The client never knows whether the token was pasted or comes from OAuth: `auth` implements
//! [`TokenProvider`] with refresh and single-flight rotation; a pasted personal token is a
//! [`StaticToken`].

use async_trait::async_trait;

use crate::secret::Secret;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TokenError {
    #[error("not connected to Hardcover: run `hardcover-sync connect` (or Connect Hardcover… in the tray)")]
    NotConnected,
    /// The token cannot be used or renewed (revoked chain, failed refresh, missing scope): the
    /// user has to connect again. Retrying would only burn quota.
    #[error("reconnect needed: {0}")]
    ReconnectNeeded(String),
    #[error("token store: {0}")]
    Store(String),
}

#[async_trait]
pub trait TokenProvider: Send + Sync {
    /// The access token to send now. Implementations refresh first when it is about to expire.
    async fn access_token(&self) -> Result<Secret, TokenError>;

    /// Hardcover answered 401 to `rejected`. Return a new token to retry once with, or an error
    /// when there is none to be had. Called at most once per request.
    async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret, TokenError>;
}

/// A token that never changes: a pasted personal access token (`hc_pat_…`).
#[derive(Debug, Clone)]
pub struct StaticToken(Secret);

impl StaticToken {
    /// Accepts the token with or without a leading `Bearer ` (any case), as users paste both.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Secret::new(strip_bearer(&token.into())))
    }
}

/// `Bearer abc`, `bearer  abc` and `abc` all mean `abc`.
pub fn strip_bearer(token: &str) -> String {
    let t = token.trim();
    match t.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => t[7..].trim().to_owned(),
        _ => t.to_owned(),
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn access_token(&self) -> Result<Secret, TokenError> {
        Ok(self.0.clone())
    }

    async fn refresh_after_unauthorized(&self, _rejected: &Secret) -> Result<Secret, TokenError> {
        Err(TokenError::ReconnectNeeded(
            "Hardcover rejected the pasted token (expired or reset): paste a new one from https://hardcover.app/account/api".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_optional_and_case_insensitive() {
        for raw in ["hc_pat_x", "Bearer hc_pat_x", "bearer hc_pat_x", "BEARER   hc_pat_x ", " hc_pat_x\n"] {
            assert_eq!(strip_bearer(raw), "hc_pat_x", "{raw:?} must be accepted as the bare token");
        }
    }
}
