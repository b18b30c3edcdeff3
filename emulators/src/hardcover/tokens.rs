//! Tokens the emulator knows, shared by the OAuth side (which issues them) and the GraphQL side
//! (which checks them and enforces their scopes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// What a bearer token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: i64,
    pub scopes: Vec<String>,
    /// `None`: never expires (personal tokens made for tests).
    pub expires_at: Option<SystemTime>,
}

impl Grant {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Every scope Hardcover Sync asks for.
pub const ALL_SCOPES: &[&str] = &["read:me:content", "read:catalog", "read:library", "write:library", "write:lists"];

#[derive(Debug, Clone, Default)]
pub struct TokenRegistry {
    inner: Arc<Mutex<HashMap<String, Grant>>>,
}

impl TokenRegistry {
    pub fn insert(&self, token: impl Into<String>, grant: Grant) {
        self.inner.lock().unwrap().insert(token.into(), grant);
    }

    /// A never-expiring personal token with the given scopes, for tests and demo mode.
    pub fn insert_personal(&self, token: impl Into<String>, user_id: i64, scopes: &[&str]) {
        self.insert(token, Grant { user_id, scopes: scopes.iter().map(|s| s.to_string()).collect(), expires_at: None });
    }

    /// The grant behind a live token; `None` for unknown, revoked or expired tokens.
    pub fn check(&self, token: &str) -> Option<Grant> {
        let g = self.inner.lock().unwrap().get(token).cloned()?;
        match g.expires_at {
            Some(t) if t <= SystemTime::now() => None,
            _ => Some(g),
        }
    }

    pub fn revoke(&self, token: &str) -> bool {
        self.inner.lock().unwrap().remove(token).is_some()
    }

    /// Make a token expire now (for refresh tests).
    pub fn expire(&self, token: &str) {
        if let Some(g) = self.inner.lock().unwrap().get_mut(token) {
            g.expires_at = Some(SystemTime::now() - Duration::from_secs(1));
        }
    }
}
