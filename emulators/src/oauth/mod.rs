//! Hardcover's OAuth 2.0 authorization server, as far as the app uses it: discovery, authorize
//! (auto-approving as one user), token (authorization code + PKCE S256, rotating refresh tokens
//! with reuse detection, device code), device authorization and revocation.
//!
//! Issued tokens go into the shared [`TokenRegistry`], so the GraphQL emulator accepts exactly
//! what this server handed out, with the scopes it granted. Knobs make it misbehave the ways the
//! real server (or a user) can: deny, answer with a wrong `iss`, grant fewer scopes, expire fast.

mod authorize;
mod device;
mod grants;
mod revoke;
mod token;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::hardcover::tokens::TokenRegistry;

pub use grants::Grants;

/// A registered client. Loopback redirect URIs match on scheme, host and path; the port may vary
/// (RFC 8252 §7.3).
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub redirect_uris: Vec<String>,
}

/// Ways to make the server misbehave. Changeable while it runs (`OAuthState::knobs`).
#[derive(Debug, Clone)]
pub struct Knobs {
    /// The user refuses on the consent screen: authorize redirects with `error=access_denied`,
    /// device polls answer `access_denied`.
    pub deny: bool,
    /// The callback carries an `iss` other than the issuer (a mix-up attack).
    pub wrong_iss: bool,
    /// The callback carries no `iss` at all (a server without RFC 9207).
    pub omit_iss: bool,
    /// The metadata says `authorization_response_iss_parameter_supported: true` (Hardcover's does).
    pub advertise_iss: bool,
    /// When set, the most the user grants: granted = requested ∩ this.
    pub grantable_scopes: Option<Vec<String>>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub code_ttl: Duration,
    pub device_ttl: Duration,
    /// Seconds between device polls that the server asks for.
    pub device_interval: u64,
    /// Answer `slow_down` to this many device polls before anything else.
    pub device_slow_down_polls: u32,
    /// How long a refresh answer takes after the chain was rotated (a slow network): another
    /// process that reads the token store meanwhile still finds the old refresh token.
    pub refresh_latency: Duration,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            deny: false,
            wrong_iss: false,
            omit_iss: false,
            advertise_iss: true,
            grantable_scopes: None,
            access_ttl: Duration::from_secs(7 * 24 * 3600),
            refresh_ttl: Duration::from_secs(180 * 24 * 3600),
            code_ttl: Duration::from_secs(60),
            device_ttl: Duration::from_secs(600),
            device_interval: 5,
            device_slow_down_polls: 0,
            refresh_latency: Duration::ZERO,
        }
    }
}

/// How often each endpoint was called, so tests can assert "exactly one refresh".
#[derive(Debug, Default)]
pub struct Counters {
    pub token_requests: AtomicU64,
    pub code_exchanges: AtomicU64,
    pub refresh_requests: AtomicU64,
    pub device_polls: AtomicU64,
    pub revocations: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterValues {
    pub token_requests: u64,
    pub code_exchanges: u64,
    pub refresh_requests: u64,
    pub device_polls: u64,
    pub revocations: u64,
}

#[derive(Clone)]
pub struct OAuthState {
    pub registry: TokenRegistry,
    pub clients: Arc<Vec<Client>>,
    /// The user every approval is made as.
    pub user_id: i64,
    pub issuer: String,
    pub knobs: Arc<Mutex<Knobs>>,
    pub counters: Arc<Counters>,
    pub(crate) grants: Grants,
}

impl OAuthState {
    /// A server approving as `user_id`, issuing into `registry`, with issuer
    /// `https://api.hardcover.app` (what the real callback carries).
    pub fn new(registry: TokenRegistry, clients: Vec<Client>, user_id: i64) -> Self {
        Self {
            registry,
            clients: Arc::new(clients),
            user_id,
            issuer: "https://api.hardcover.app".into(),
            knobs: Arc::new(Mutex::new(Knobs::default())),
            counters: Arc::default(),
            grants: Grants::default(),
        }
    }

    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Change knobs in place: `state.set_knobs(|k| k.deny = true)`.
    pub fn set_knobs(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.knobs.lock().unwrap());
    }

    pub(crate) fn knobs(&self) -> Knobs {
        self.knobs.lock().unwrap().clone()
    }

    pub fn counters(&self) -> CounterValues {
        let c = &self.counters;
        let l = |a: &AtomicU64| a.load(Ordering::SeqCst);
        CounterValues {
            token_requests: l(&c.token_requests),
            code_exchanges: l(&c.code_exchanges),
            refresh_requests: l(&c.refresh_requests),
            device_polls: l(&c.device_polls),
            revocations: l(&c.revocations),
        }
    }

    /// The user typed `user_code` on the verification page and approved (or, with `deny`, refused).
    /// Returns false for an unknown code.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.grants.approve_device(user_code)
    }

    /// Every token this server issued stops working, refresh tokens included: what removing the
    /// app's access on hardcover.app does.
    pub fn revoke_all_grants(&self) {
        self.grants.revoke_all(self);
    }

    /// Whether `token` is a live refresh token (for tests that check revocation).
    pub fn refresh_token_is_live(&self, token: &str) -> bool {
        self.grants.refresh_is_live(token)
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Granted scopes: what was asked for, cut down to what the user allows.
    pub(crate) fn grant_scopes(&self, requested: &str) -> Vec<String> {
        let knobs = self.knobs();
        requested
            .split_whitespace()
            .filter(|s| knobs.grantable_scopes.as_ref().is_none_or(|g| g.iter().any(|x| x == s)))
            .map(str::to_owned)
            .collect()
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::SeqCst);
}

pub fn router(state: OAuthState) -> Router {
    Router::new()
        .route("/.well-known/oauth-authorization-server", get(authorize::discovery))
        .route("/oauth2/authorize", get(authorize::authorize))
        .route("/oauth2/token", post(token::token))
        .route("/oauth2/device", post(device::device_authorization))
        .route("/oauth2/device/approve", post(device::approve_hook))
        .route("/oauth2/revoke", post(revoke::revoke))
        .with_state(state)
}
