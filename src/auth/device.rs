//! Device authorization grant (RFC 8628): for machines where no browser can reach the loopback
//! listener (SSH sessions, servers). The user approves a short code on another device.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use oauth2::{DeviceCodeErrorResponseType, StandardDeviceAuthorizationResponse};
use oauth2::{RequestTokenError, Scope};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::AuthError;
use super::browser::describe;
use super::error::from_request;
use super::http::async_client;
use super::settings::OAuthSettings;
use super::tokens::StoredTokens;

/// What to show the user.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    /// The same page with the code filled in, when the server offers one (good for a QR code).
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
}

pub type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

pub struct DeviceOptions {
    pub show_code: Arc<dyn Fn(&DeviceCode) + Send + Sync>,
    pub cancel: CancellationToken,
    /// Waits between polls. Injected so tests can see the intervals without waiting them out.
    pub sleep: Sleep,
}

impl DeviceOptions {
    pub fn new(show_code: Arc<dyn Fn(&DeviceCode) + Send + Sync>) -> Self {
        Self { show_code, cancel: CancellationToken::new(), sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))) }
    }
}

pub(crate) async fn authorize(
    settings: &OAuthSettings,
    http: &reqwest::Client,
    opts: DeviceOptions,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<StoredTokens, AuthError> {
    let client = settings.client()?;
    let http_fn = async_client(http);
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
        .request_async(&http_fn)
        .await
        .map_err(|e| from_request(e, &settings.device_url, |r| AuthError::Authorization(describe(r))))?;
    (opts.show_code)(&DeviceCode {
        user_code: details.user_code().secret().clone(),
        verification_uri: details.verification_uri().to_string(),
        verification_uri_complete: details.verification_uri_complete().map(|u| u.secret().clone()),
        expires_in: details.expires_in(),
    });
    // `oauth2` polls at the server's interval, adds 5 s on `slow_down` and keeps going on
    // `authorization_pending`; it stops on anything else and when the code expires.
    let sleep = Arc::clone(&opts.sleep);
    let poll = client.exchange_device_access_token(&details).request_async(&http_fn, move |d| sleep(d), None);
    let response = tokio::select! {
        r = poll => r,
        _ = opts.cancel.cancelled() => return Err(AuthError::Cancelled),
    };
    let response = response.map_err(|e| match e {
        RequestTokenError::ServerResponse(r) => match r.error() {
            DeviceCodeErrorResponseType::ExpiredToken => AuthError::DeviceExpired,
            DeviceCodeErrorResponseType::AccessDenied => AuthError::Denied,
            _ => AuthError::Authorization(describe(&r)),
        },
        other => from_request(other, &settings.token_url, |r| AuthError::Authorization(describe(r))),
    })?;
    let tokens = StoredTokens::from_response(&response, &settings.scopes, None, now());
    let missing = tokens.missing_scopes();
    if !missing.is_empty() {
        return Err(AuthError::MissingScopes(missing));
    }
    Ok(tokens)
}
