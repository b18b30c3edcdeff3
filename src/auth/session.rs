//! [`AuthSession`]: the [`TokenProvider`] the Hardcover client uses. It refreshes shortly before
//! expiry and once after a 401, one refresh at a time across the process, saving the rotated
//! refresh token before anyone uses the new access token.
//!
//! Why so careful: Hardcover rotates refresh tokens on every use and revokes the whole chain when
//! an old one comes back. Two concurrent refreshes, or a new refresh token lost before it was
//! saved, would disconnect the user.
//!
//! Across processes (the tray, the window, a CLI run share one token store) the single flight is
//! a file lock around read-store → refresh → save, and the refresh always spends the refresh
//! token the store holds: another process may have rotated the chain since this one read it.
//! A refresh whose answer was lost (timeout, a kill before the save) leaves a marker behind, so
//! the `invalid_grant` that follows is explained once instead of looking like a random failure.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oauth2::RefreshToken;
use oauth2::basic::BasicErrorResponseType;
use tokio::sync::Mutex as AsyncMutex;

use super::browser::describe;
use super::http::async_client;
use super::settings::OAuthSettings;
use super::store::{self, TokenStore};
use super::tokens::{StoredTokens, TokenKind};
use crate::hardcover::token::{TokenError, TokenProvider};
use crate::lock::FolderLock;
use crate::secret::Secret;

pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct AuthSession {
    settings: OAuthSettings,
    http: reqwest::Client,
    store: Arc<dyn TokenStore>,
    /// The current tokens. Held across a refresh: that is the single flight, callers queue on it
    /// and find the fresh tokens when they get their turn.
    current: AsyncMutex<Option<StoredTokens>>,
    /// Latched "reconnect needed" reason: once the chain is dead, retrying only burns quota.
    reconnect: Mutex<Option<String>>,
    refresh_margin: chrono::Duration,
    clock: Clock,
    /// Held around every refresh when set (the data folder's `token-refresh.lock`).
    refresh_lock: Option<PathBuf>,
}

impl AuthSession {
    pub fn new(settings: OAuthSettings, http: reqwest::Client, store: Arc<dyn TokenStore>) -> Self {
        Self {
            settings,
            http,
            store,
            current: AsyncMutex::new(None),
            reconnect: Mutex::new(None),
            refresh_margin: chrono::Duration::minutes(5),
            clock: Arc::new(Utc::now),
            refresh_lock: None,
        }
    }

    /// Refresh only while holding the file lock at `path` (shared by every process using this
    /// token store); a marker beside it records a refresh in flight.
    pub fn with_refresh_lock(mut self, path: PathBuf) -> Self {
        self.refresh_lock = Some(path);
        self
    }

    fn in_flight_marker(&self) -> Option<PathBuf> {
        self.refresh_lock.as_ref().map(|p| p.with_extension("in-flight"))
    }

    /// Read the time from `clock` (tests move it forward).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Refresh when the access token expires within `margin` (5 minutes by default).
    pub fn with_refresh_margin(mut self, margin: chrono::Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Why the user must connect again, if they must.
    pub fn reconnect_needed(&self) -> Option<String> {
        self.reconnect.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Latch "reconnect needed", e.g. when Hardcover answers `insufficient_scope`.
    pub fn mark_reconnect_needed(&self, reason: impl Into<String>) {
        *self.reconnect.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason.into());
    }

    /// Forget cached tokens and any reconnect latch: after connecting or disconnecting.
    pub async fn reset(&self, tokens: Option<StoredTokens>) {
        let mut cur = self.current.lock().await;
        *cur = tokens;
        *self.reconnect.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The tokens in use (loaded from the store on first use).
    pub async fn tokens(&self) -> Result<Option<StoredTokens>, TokenError> {
        let mut cur = self.current.lock().await;
        self.load(&mut cur).await?;
        Ok(cur.clone())
    }

    async fn load(&self, cur: &mut Option<StoredTokens>) -> Result<(), TokenError> {
        if cur.is_none() {
            *cur = store::get(&self.store).await.map_err(|e| TokenError::Store(e.to_string()))?;
        }
        Ok(())
    }

    fn check_latch(&self) -> Result<(), TokenError> {
        match self.reconnect_needed() {
            Some(reason) => Err(TokenError::ReconnectNeeded(reason)),
            None => Ok(()),
        }
    }

    fn latch(&self, reason: String) -> TokenError {
        self.mark_reconnect_needed(reason.clone());
        TokenError::ReconnectNeeded(reason)
    }

    /// Refresh with the lock held. Another process (CLI next to the tray) may have rotated the
    /// chain meanwhile: the store is read again under the cross-process lock, and when it holds a
    /// different refresh token that one is adopted (or, expiring too, spent) instead of ours,
    /// which is already dead.
    async fn refresh(&self, cur: &mut Option<StoredTokens>) -> Result<Secret, TokenError> {
        let _lock = match &self.refresh_lock {
            Some(path) => Some(
                FolderLock::acquire(path)
                    .await
                    .map_err(|e| TokenError::Store(format!("cannot renew the Hardcover sign-in: {e}")))?,
            ),
            None => None,
        };
        let mut held = cur.clone().ok_or(TokenError::NotConnected)?;
        match store::get(&self.store).await {
            Ok(Some(stored)) if stored.refresh_token != held.refresh_token || stored.kind != held.kind => {
                if stored.kind != TokenKind::OAuth || !self.expiring(&stored) {
                    let access = stored.access_token.clone();
                    *cur = Some(stored);
                    return Ok(access);
                }
                held = stored;
            }
            // Disconnected in another process meanwhile.
            Ok(None) => {
                *cur = None;
                return Err(TokenError::NotConnected);
            }
            _ => {}
        }
        let Some(refresh) = held.refresh_token.as_ref() else {
            return Err(self.latch("the Hardcover sign-in expired and cannot be renewed: connect again".into()));
        };
        let client = self.settings.client().map_err(|e| TokenError::ReconnectNeeded(e.to_string()))?;
        // Written before the request, removed once its answer is saved: if it is still there at
        // the next refresh, an answer was lost and Hardcover may already have rotated the chain.
        let marker = self.in_flight_marker();
        let interrupted = marker.as_ref().is_some_and(|m| m.exists());
        if let Some(m) = &marker {
            let _ = std::fs::write(m, (self.clock)().to_rfc3339());
        }
        let answer = client
            .exchange_refresh_token(&RefreshToken::new(refresh.expose().to_owned()))
            .request_async(&async_client(&self.http))
            .await;
        let clear_marker = || {
            if let Some(m) = &marker {
                let _ = std::fs::remove_file(m);
            }
        };
        let response = match answer {
            Ok(r) => r,
            Err(oauth2::RequestTokenError::ServerResponse(r)) => {
                clear_marker();
                let why = match r.error() {
                    BasicErrorResponseType::InvalidGrant if interrupted => {
                        "an earlier renewal of the Hardcover sign-in was cut off before its answer was saved, so Hardcover ended the sign-in".to_owned()
                    }
                    BasicErrorResponseType::InvalidGrant => {
                        "Hardcover no longer accepts the saved sign-in (revoked, expired, or used elsewhere)".to_owned()
                    }
                    BasicErrorResponseType::InvalidScope => {
                        "Hardcover needs the app to ask for new permissions".to_owned()
                    }
                    _ => format!("renewing the Hardcover sign-in failed ({})", describe(&r)),
                };
                return Err(self.latch(format!("{why}: connect again")));
            }
            // Offline or a hiccup: not the user's fault and not permanent. The old refresh token
            // was not spent (no answer means no rotation we know of), so the next call retries.
            Err(e) => {
                return Err(TokenError::Store(format!(
                    "cannot reach Hardcover to renew the sign-in ({e}); will retry"
                )));
            }
        };
        let fresh = StoredTokens::from_response(&response, &held.scopes, held.refresh_token.as_ref(), (self.clock)());
        // Save before use: if this fails the new refresh token exists only in memory, so keep it
        // there (this process can go on) but do not hand out the access token as if all is well.
        let saved = store::save(&self.store, &fresh).await;
        if saved.is_ok() {
            clear_marker();
        }
        *cur = Some(fresh.clone());
        saved.map_err(|e| TokenError::Store(format!("the renewed Hardcover sign-in could not be saved: {e}")))?;
        let missing = fresh.missing_scopes();
        if !missing.is_empty() {
            return Err(self.latch(format!("Hardcover no longer grants {}: connect again", missing.join(", "))));
        }
        Ok(fresh.access_token)
    }

    fn expiring(&self, t: &StoredTokens) -> bool {
        t.expires_at.is_some_and(|at| at - self.refresh_margin <= (self.clock)())
    }
}

#[async_trait]
impl TokenProvider for AuthSession {
    async fn access_token(&self) -> Result<Secret, TokenError> {
        self.check_latch()?;
        let mut cur = self.current.lock().await;
        // A refresh that finished while we queued may have latched.
        self.check_latch()?;
        self.load(&mut cur).await?;
        let t = cur.as_ref().ok_or(TokenError::NotConnected)?;
        if t.kind == TokenKind::OAuth && self.expiring(t) {
            return self.refresh(&mut cur).await;
        }
        Ok(t.access_token.clone())
    }

    async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret, TokenError> {
        self.check_latch()?;
        let mut cur = self.current.lock().await;
        self.check_latch()?;
        self.load(&mut cur).await?;
        let t = cur.as_ref().ok_or(TokenError::NotConnected)?;
        if &t.access_token != rejected {
            // Someone refreshed while this request was in flight: retry with their token.
            return Ok(t.access_token.clone());
        }
        if t.kind == TokenKind::Personal {
            return Err(self.latch(
                "Hardcover rejected the pasted token (expired or reset): paste a new one from https://hardcover.app/account/api".into(),
            ));
        }
        self.refresh(&mut cur).await
    }
}
