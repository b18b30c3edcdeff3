//! Authorization code + PKCE in the system browser (RFC 8252 native-app flow).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::AuthError;
use super::error::from_request;
use super::http::async_client;
use super::loopback::{Callback, Loopback};
use super::opener::Opener;
use super::settings::OAuthSettings;
use super::tokens::StoredTokens;

pub struct BrowserOptions {
    pub opener: Opener,
    /// Shown to the user as well, in case no browser opens (headless, SSH).
    pub show_url: Arc<dyn Fn(&Url) + Send + Sync>,
    /// `None`: the settings' timeout (5 minutes by default).
    pub timeout: Option<Duration>,
    pub cancel: CancellationToken,
}

impl BrowserOptions {
    /// Open with `opener`, print the URL on stderr, default timeout, never cancelled.
    pub fn new(opener: Opener) -> Self {
        Self {
            opener,
            show_url: Arc::new(|url: &Url| {
                eprintln!("To connect Hardcover Sync, open this page if it did not open by itself:\n  {url}")
            }),
            timeout: None,
            cancel: CancellationToken::new(),
        }
    }
}

pub(crate) async fn authorize(
    settings: &OAuthSettings,
    http: &reqwest::Client,
    opts: BrowserOptions,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<StoredTokens, AuthError> {
    let client = settings.client()?;
    let listener = Loopback::bind(settings.redirect_uri.as_ref()).await?;
    let client = OAuthSettings::with_redirect(client, &listener.redirect_uri);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();
    (opts.show_url)(&url);
    if let Err(e) = (opts.opener)(&url) {
        tracing::warn!("could not open a browser ({e}); the URL was shown instead");
    }
    let timeout = opts.timeout.unwrap_or(settings.browser_timeout);
    let iss_required = sends_iss(settings, http).await;
    let flow = async {
        // Only a callback carrying our `state` ends the sign-in: a stale tab or a page probing
        // the port gets an error page, and the wait goes on.
        let cb = loop {
            let cb = listener.next_callback().await;
            if cb.get("state") == Some(state.secret().as_str()) {
                break cb;
            }
            tracing::warn!("ignored a sign-in answer that does not belong to this sign-in (wrong state)");
            let e = AuthError::StateMismatch;
            cb.respond(false, &format!("{e}. The sign-in the app started is still waiting in its own tab.")).await;
        };
        finish(settings, &client, http, cb, &state, verifier, iss_required, &now).await
    };
    // The listener is dropped on every way out, so the port closes with the flow.
    tokio::select! {
        r = flow => r,
        _ = tokio::time::sleep(timeout) => Err(AuthError::Timeout(timeout)),
        _ = opts.cancel.cancelled() => Err(AuthError::Cancelled),
    }
}

/// Check the callback, exchange the code, and tell the browser how it went.
#[allow(clippy::too_many_arguments)]
async fn finish(
    settings: &OAuthSettings,
    client: &super::settings::Client,
    http: &reqwest::Client,
    cb: Callback,
    state: &CsrfToken,
    verifier: PkceCodeVerifier,
    iss_required: bool,
    now: &impl Fn() -> DateTime<Utc>,
) -> Result<StoredTokens, AuthError> {
    let result = check_and_exchange(settings, client, http, &cb, state, verifier, iss_required, now).await;
    match &result {
        Ok(_) => {
            cb.respond(true, "Hardcover Sync is connected to your Hardcover account. You can close this tab.").await
        }
        Err(e) => cb.respond(false, &format!("{e}. You can close this tab and try again from the app.")).await,
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn check_and_exchange(
    settings: &OAuthSettings,
    client: &super::settings::Client,
    http: &reqwest::Client,
    cb: &Callback,
    state: &CsrfToken,
    verifier: PkceCodeVerifier,
    iss_required: bool,
    now: &impl Fn() -> DateTime<Utc>,
) -> Result<StoredTokens, AuthError> {
    // `state` first: anything else in a request with the wrong state is not ours to believe,
    // including an `error`.
    if cb.get("state") != Some(state.secret().as_str()) {
        return Err(AuthError::StateMismatch);
    }
    // RFC 9207: the issuer must be the one we asked, or the code may be for another server. A
    // server that says it sends `iss` must send it; one that does not is checked when it does.
    let iss = cb.get("iss");
    if (iss_required || iss.is_some()) && iss != Some(settings.issuer.as_str()) {
        return Err(AuthError::IssuerMismatch { expected: settings.issuer.clone(), got: iss.map(str::to_owned) });
    }
    if let Some(error) = cb.get("error") {
        return Err(match error {
            "access_denied" => AuthError::Denied,
            other => AuthError::Authorization(match cb.get("error_description") {
                Some(d) => format!("{other}: {d}"),
                None => other.to_owned(),
            }),
        });
    }
    let code = cb
        .get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| AuthError::Protocol("the callback carried no code".into()))?;
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(verifier)
        .request_async(&async_client(http))
        .await
        .map_err(|e| from_request(e, &settings.token_url, |r| AuthError::CodeExchange(describe(r))))?;
    let tokens = StoredTokens::from_response(&response, &settings.scopes, None, now());
    let missing = tokens.missing_scopes();
    if !missing.is_empty() {
        return Err(AuthError::MissingScopes(missing));
    }
    Ok(tokens)
}

/// Whether the authorization server's metadata (RFC 8414) says its callbacks carry `iss`
/// (`authorization_response_iss_parameter_supported`, RFC 9207). Unreadable metadata counts as
/// "not said": `iss` is then still checked whenever a callback carries one.
async fn sends_iss(settings: &OAuthSettings, http: &reqwest::Client) -> bool {
    let Ok(url) = settings.token_url.join("/.well-known/oauth-authorization-server") else { return false };
    let answer = http.get(url).timeout(Duration::from_secs(10)).send().await;
    let metadata = match answer {
        Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await.ok(),
        _ => None,
    };
    metadata.and_then(|m| m.get("authorization_response_iss_parameter_supported")?.as_bool()).unwrap_or(false)
}

/// "invalid_grant: code expired" from an OAuth error answer.
pub(crate) fn describe<T: oauth2::ErrorResponseType + std::fmt::Display>(
    r: &oauth2::StandardErrorResponse<T>,
) -> String {
    match r.error_description() {
        Some(d) => format!("{}: {d}", r.error()),
        None => r.error().to_string(),
    }
}
