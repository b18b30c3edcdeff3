//! What the status line shows: who is connected, where the tokens are kept, when they expire.
//! The username is cached in the database's `meta` table (never the token), so the status can be
//! shown without a request to Hardcover.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::account::Account;
use super::tokens::TokenKind;
use crate::store::Store;

const META_USER_ID: &str = "hardcover.user_id";
const META_USERNAME: &str = "hardcover.username";

/// Safe to log and to send over IPC: holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub connected: bool,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub kind: Option<TokenKind>,
    /// "OS keyring (service hardcover-sync)", "file …/tokens.json".
    pub token_store: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// Set when the user has to connect again, with the reason.
    pub reconnect_needed: Option<String>,
}

pub(crate) fn remember(db: &Store, account: &Account) -> Result<(), crate::store::StoreError> {
    db.meta_set(META_USER_ID, &account.user_id.to_string())?;
    db.meta_set(META_USERNAME, &account.username)
}

pub(crate) fn forget(db: &Store) -> Result<(), crate::store::StoreError> {
    db.meta_delete(META_USER_ID)?;
    db.meta_delete(META_USERNAME)
}

pub(crate) fn cached_account(db: &Store) -> (Option<i64>, Option<String>) {
    let id = db.meta_get(META_USER_ID).ok().flatten().and_then(|v| v.parse().ok());
    let name = db.meta_get(META_USERNAME).ok().flatten();
    (id, name)
}
