//! "Who is this token, and may it write?": answered by the Hardcover client (`me` and a harmless
//! write probe). A trait so `auth` does not depend on the GraphQL client, and tests can answer
//! from an emulator.

use async_trait::async_trait;
use serde::Serialize;

use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub user_id: i64,
    pub username: String,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProbeError {
    /// Hardcover answered 401/403 or "invalid token".
    #[error("Hardcover did not accept the token")]
    Unauthorized,
    #[error("{0}")]
    Other(String),
}

#[async_trait]
pub trait AccountProbe: Send + Sync {
    /// The account behind `token` (Hardcover's `me`).
    async fn me(&self, token: &Secret) -> Result<Account, ProbeError>;
    /// Whether `token` may change the library (a harmless write, or a scope check).
    async fn can_write(&self, token: &Secret) -> Result<bool, ProbeError>;
}
