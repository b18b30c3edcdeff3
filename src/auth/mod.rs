//! Connecting to Hardcover: OAuth (authorization code + PKCE in the browser, device grant),
//! pasted tokens, where tokens are kept, and renewing them.
//!
//! [`Auth`] is the entry point for the CLI and the app: `connect_*`, `disconnect`, `connection`,
//! and `session()` — the [`TokenProvider`](crate::hardcover::TokenProvider) to hand the Hardcover
//! client.

mod account;
mod browser;
mod connection;
mod device;
mod error;
mod http;
mod loopback;
mod opener;
mod revoke;
mod session;
mod settings;
mod source_secrets;
pub mod store;
mod tokens;

use std::sync::Arc;

pub use account::{Account, AccountProbe, ProbeError};
pub use browser::BrowserOptions;
pub use connection::Connection;
pub use device::{DeviceCode, DeviceOptions, Sleep};
pub use error::AuthError;
pub use http::oauth_http_client;
pub use opener::{Opener, command_opener, system_opener};
pub use session::{AuthSession, Clock};
pub use settings::{OAuthSettings, PERSONAL_TOKEN_URL, SCOPES};
pub use source_secrets::{set_source_secret, source_secret};
pub use store::{FileStore, KeyringStore, MemoryStore, TokenStore, TokenStoreError, open_token_store};
pub use tokens::{REQUIRED_SCOPES, StoredTokens, TokenKind};

use crate::config::HardcoverConfig;
use crate::hardcover::token::strip_bearer;
use crate::paths::AppPaths;
use crate::secret::Secret;

/// The outcome of [`Auth::disconnect`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Disconnected {
    /// Hardcover confirmed the revocation.
    pub revoked: bool,
    /// For the user, when something is worth knowing (revocation not sent, personal token).
    pub note: Option<String>,
}

pub struct Auth {
    settings: OAuthSettings,
    http: reqwest::Client,
    store: Arc<dyn TokenStore>,
    session: Arc<AuthSession>,
    clock: Clock,
    meta: Option<Arc<crate::store::Store>>,
    refresh_lock: Option<std::path::PathBuf>,
}

impl Auth {
    pub fn new(settings: OAuthSettings, store: Arc<dyn TokenStore>) -> Self {
        let http = oauth_http_client();
        let clock: Clock = Arc::new(chrono::Utc::now);
        let session = Arc::new(AuthSession::new(settings.clone(), http.clone(), Arc::clone(&store)));
        Self { settings, http, store, session, clock, meta: None, refresh_lock: None }
    }

    /// From the config: its OAuth settings and the token store it names, refreshing under the
    /// data folder's token lock.
    pub fn from_config(hc: &HardcoverConfig, paths: &AppPaths) -> Result<Self, AuthError> {
        Ok(Self::new(OAuthSettings::from_config(hc), open_token_store(hc.token_store, paths)?)
            .with_refresh_lock(paths.token_lock()))
    }

    /// Renew the sign-in only while holding the file lock at `path`, so the processes sharing
    /// this token store never refresh at once (see [`AuthSession`]).
    pub fn with_refresh_lock(mut self, path: std::path::PathBuf) -> Self {
        self.refresh_lock = Some(path.clone());
        self.session = Arc::new(
            AuthSession::new(self.settings.clone(), self.http.clone(), Arc::clone(&self.store))
                .with_clock(Arc::clone(&self.clock))
                .with_refresh_lock(path),
        );
        self
    }

    /// Cache the connected username in this database's `meta` table.
    pub fn with_meta(mut self, db: Arc<crate::store::Store>) -> Self {
        self.meta = Some(db);
        self
    }

    /// Read the time from `clock`; the session refreshes `margin` before expiry.
    pub fn with_clock(mut self, clock: Clock, margin: chrono::Duration) -> Self {
        self.clock = Arc::clone(&clock);
        let mut session = AuthSession::new(self.settings.clone(), self.http.clone(), Arc::clone(&self.store))
            .with_clock(clock)
            .with_refresh_margin(margin);
        if let Some(path) = &self.refresh_lock {
            session = session.with_refresh_lock(path.clone());
        }
        self.session = Arc::new(session);
        self
    }

    /// The token provider for the Hardcover client. One per `Auth`: share it, do not make more
    /// (single-flight refresh only holds within one session).
    pub fn session(&self) -> Arc<AuthSession> {
        Arc::clone(&self.session)
    }

    pub fn settings(&self) -> &OAuthSettings {
        &self.settings
    }

    /// Authorization code + PKCE in the browser. Saves the tokens and returns who connected.
    pub async fn connect_browser(&self, opts: BrowserOptions, probe: &dyn AccountProbe) -> Result<Account, AuthError> {
        let tokens = browser::authorize(&self.settings, &self.http, opts, &*self.clock).await?;
        self.adopt(tokens, probe).await
    }

    /// Device grant: `opts.show_code` gets the code to show; returns once approved.
    pub async fn connect_device(&self, opts: DeviceOptions, probe: &dyn AccountProbe) -> Result<Account, AuthError> {
        let tokens = device::authorize(&self.settings, &self.http, opts, &*self.clock).await?;
        self.adopt(tokens, probe).await
    }

    /// A pasted personal token, with or without `Bearer `. Checked with `me` and a write probe
    /// before it is saved.
    pub async fn connect_token(&self, raw: &str, probe: &dyn AccountProbe) -> Result<Account, AuthError> {
        let token = Secret::new(strip_bearer(raw));
        let link = PERSONAL_TOKEN_URL.to_owned();
        if token.is_empty() {
            return Err(AuthError::TokenRejected { link });
        }
        let account = probe.me(&token).await.map_err(|e| match e {
            ProbeError::Unauthorized => AuthError::TokenRejected { link: link.clone() },
            ProbeError::Other(m) => AuthError::Probe(m),
        })?;
        match probe.can_write(&token).await {
            Ok(true) => {}
            Ok(false) | Err(ProbeError::Unauthorized) => return Err(AuthError::NoWriteAccess { link }),
            Err(ProbeError::Other(m)) => return Err(AuthError::Probe(m)),
        }
        self.save_connected(StoredTokens::personal(token), &account).await?;
        Ok(account)
    }

    async fn adopt(&self, tokens: StoredTokens, probe: &dyn AccountProbe) -> Result<Account, AuthError> {
        let account = probe.me(&tokens.access_token).await.map_err(|e| AuthError::Probe(e.to_string()))?;
        self.save_connected(tokens, &account).await?;
        Ok(account)
    }

    async fn save_connected(&self, tokens: StoredTokens, account: &Account) -> Result<(), AuthError> {
        store::save(&self.store, &tokens).await?;
        self.session.reset(Some(tokens)).await;
        if let Some(db) = &self.meta {
            connection::remember(db, account).map_err(|e| AuthError::Meta(e.to_string()))?;
        }
        Ok(())
    }

    /// Revoke the tokens at Hardcover (RFC 7009), then delete them here. When Hardcover cannot be
    /// reached they are still deleted here, and the note says the revocation was not sent.
    pub async fn disconnect(&self) -> Result<Disconnected, AuthError> {
        // Unreadable tokens cannot be revoked, but must still go.
        let tokens = self.session.tokens().await.unwrap_or_default();
        let outcome = match tokens {
            None => Disconnected { revoked: false, note: None },
            Some(t) if t.kind == TokenKind::Personal => Disconnected {
                revoked: false,
                note: Some("the pasted personal token was removed from this computer; delete it at https://hardcover.app/account/api if it is no longer needed".into()),
            },
            Some(t) => match revoke::revoke(&self.settings, &self.http, &t).await {
                Ok(()) => Disconnected { revoked: true, note: None },
                Err(e) => Disconnected {
                    revoked: false,
                    note: Some(format!(
                        "could not tell Hardcover to revoke the sign-in ({e}); it was deleted from this computer. Revoke the app's access on hardcover.app/account/api if this computer is not yours"
                    )),
                },
            },
        };
        store::delete(&self.store).await?;
        self.session.reset(None).await;
        if let Some(db) = &self.meta {
            connection::forget(db).map_err(|e| AuthError::Meta(e.to_string()))?;
        }
        Ok(outcome)
    }

    /// The connection status, without asking Hardcover.
    pub async fn connection(&self) -> Connection {
        let tokens = self.session.tokens().await;
        let (user_id, username) = match &self.meta {
            Some(db) => connection::cached_account(db),
            None => (None, None),
        };
        let reconnect_needed = match &tokens {
            Err(e) => Some(e.to_string()),
            Ok(_) => self.session.reconnect_needed(),
        };
        let tokens = tokens.ok().flatten();
        Connection {
            connected: tokens.is_some(),
            user_id: tokens.as_ref().and(user_id),
            username: tokens.as_ref().and(username),
            kind: tokens.as_ref().map(|t| t.kind),
            token_store: self.store.describe(),
            expires_at: tokens.as_ref().and_then(|t| t.expires_at),
            reconnect_needed,
        }
    }
}
