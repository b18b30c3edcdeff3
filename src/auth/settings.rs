//! The OAuth client's settings, from `scrobbling.hardcover` in the config.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, ClientId, ClientSecret, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet, RedirectUrl, RevocationUrl,
    TokenUrl,
};
use url::Url;

use super::AuthError;
use crate::config::HardcoverConfig;
use crate::secret::Secret;

/// Every scope the app asks for: reading the user's profile, catalog and library; writing the
/// library (progress, statuses, reads) and lists.
pub const SCOPES: &[&str] = &["read:me:content", "read:catalog", "read:library", "write:library", "write:lists"];

/// Where a personal token with the right scopes is made, scopes pre-filled.
pub const PERSONAL_TOKEN_URL: &str = "https://hardcover.app/account/api/keys/new?scope=read:me:content%20read:catalog%20read:library%20write:library%20write:lists";

#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// `None` until a Hardcover developer app is configured: the OAuth flows need it, a pasted
    /// token does not.
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub authorize_url: Url,
    pub token_url: Url,
    pub revoke_url: Url,
    pub device_url: Url,
    /// What the callback's `iss` must equal.
    pub issuer: String,
    /// `None`: `http://127.0.0.1:<free port>/callback`.
    pub redirect_uri: Option<Url>,
    pub scopes: Vec<String>,
    /// How long the browser flow waits for the callback.
    pub browser_timeout: Duration,
}

impl OAuthSettings {
    pub fn from_config(hc: &HardcoverConfig) -> Self {
        Self {
            client_id: hc.client_id.clone(),
            client_secret: hc.client_secret.clone(),
            authorize_url: hc.oauth.authorize_url.clone(),
            token_url: hc.oauth.token_url.clone(),
            revoke_url: hc.oauth.revoke_url.clone(),
            device_url: hc.oauth.device_url.clone(),
            issuer: hc.issuer.clone(),
            redirect_uri: hc.redirect_uri.clone(),
            scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
            browser_timeout: Duration::from_secs(5 * 60),
        }
    }

    /// Settings for an authorization server at `base` (an emulator, or a self-hosted proxy):
    /// the endpoints under `/oauth2/…`.
    pub fn for_base_url(base: &Url, client_id: &str, issuer: &str) -> Self {
        let at = |p: &str| base.join(p).expect("static relative path");
        let mut hc =
            HardcoverConfig { client_id: Some(client_id.to_owned()), issuer: issuer.to_owned(), ..Default::default() };
        hc.oauth.authorize_url = at("/oauth2/authorize");
        hc.oauth.token_url = at("/oauth2/token");
        hc.oauth.revoke_url = at("/oauth2/revoke");
        hc.oauth.device_url = at("/oauth2/device");
        Self::from_config(&hc)
    }

    pub(crate) fn client_id(&self) -> Result<&str, AuthError> {
        self.client_id.as_deref().filter(|c| !c.trim().is_empty()).ok_or(AuthError::NoClientId)
    }

    pub(crate) fn client(&self) -> Result<Client, AuthError> {
        let mut c = BasicClient::new(ClientId::new(self.client_id()?.to_owned()))
            .set_auth_uri(AuthUrl::from_url(self.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(self.token_url.clone()))
            .set_revocation_url(RevocationUrl::from_url(self.revoke_url.clone()))
            .set_device_authorization_url(DeviceAuthorizationUrl::from_url(self.device_url.clone()));
        if let Some(secret) = &self.client_secret {
            c = c.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        Ok(c)
    }

    pub(crate) fn with_redirect(client: Client, redirect: &Url) -> Client {
        client.set_redirect_uri(RedirectUrl::from_url(redirect.clone()))
    }
}

/// The `oauth2` client with authorize, device, revocation and token endpoints set.
pub(crate) type Client = BasicClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointSet, EndpointSet>;
