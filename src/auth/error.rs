//! What can go wrong while connecting, each message saying what to do next.

use std::time::Duration;

use oauth2::{ErrorResponse, RequestTokenError};

use super::store::TokenStoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no Hardcover OAuth client id is configured: set scrobbling.hardcover.client_id (or HARDCOVER_CLIENT_ID), or paste a personal token instead (`hardcover-sync connect --token`)"
    )]
    NoClientId,
    #[error(
        "cannot listen on {addr} for the sign-in callback: {source}. Set scrobbling.hardcover.redirect_uri to a free loopback port, or use the device flow (`connect --device`)"
    )]
    Listener { addr: String, source: std::io::Error },
    #[error(
        "scrobbling.hardcover.redirect_uri is {0}: it must be a loopback http URL such as http://127.0.0.1:8765/callback (RFC 8252), registered with the Hardcover app"
    )]
    BadRedirect(String),
    #[error(
        "the browser came back with a different `state` than this app sent: the sign-in was not completed (it may have been forged). Connect again"
    )]
    StateMismatch,
    #[error(
        "the sign-in answer came from issuer {}, not {expected}: refused (possible mix-up attack, or scrobbling.hardcover.issuer is wrong)",
        .got.as_deref().unwrap_or("(none given)")
    )]
    IssuerMismatch { expected: String, got: Option<String> },
    #[error("access was declined on Hardcover: nothing was connected")]
    Denied,
    #[error("Hardcover refused the sign-in: {0}")]
    Authorization(String),
    #[error("no answer from the browser within {} s: connect again when ready", .0.as_secs())]
    Timeout(Duration),
    #[error("connecting was cancelled")]
    Cancelled,
    #[error("Hardcover refused to exchange the sign-in code: {0}. Connect again")]
    CodeExchange(String),
    #[error("the device code expired before it was approved: connect again")]
    DeviceExpired,
    #[error("cannot reach Hardcover at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("Hardcover's answer was not understood: {0}")]
    Protocol(String),
    #[error("Hardcover did not accept this token (mistyped, expired or reset). Make a new one at {link}")]
    TokenRejected { link: String },
    #[error("this token can read but not change your library. Make one with write access at {link}")]
    NoWriteAccess { link: String },
    #[error("Hardcover granted fewer permissions than needed (missing: {}). Connect again and allow all of them", .0.join(", "))]
    MissingScopes(Vec<String>),
    #[error("checking the token with Hardcover failed: {0}")]
    Probe(String),
    #[error(transparent)]
    Store(#[from] TokenStoreError),
    #[error("cannot remember the connected account: {0}")]
    Meta(String),
}

/// Turn an `oauth2` token-endpoint failure into words, via `make` for server answers.
pub(crate) fn from_request<T: ErrorResponse + std::fmt::Display>(
    e: RequestTokenError<reqwest::Error, T>,
    url: &url::Url,
    make: impl FnOnce(&T) -> AuthError,
) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => make(&r),
        RequestTokenError::Request(e) => AuthError::Unreachable { url: url.to_string(), message: e.to_string() },
        RequestTokenError::Parse(e, _body) => AuthError::Protocol(e.to_string()),
        RequestTokenError::Other(m) => AuthError::Protocol(m),
    }
}
