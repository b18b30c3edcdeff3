//! Revoking tokens at Hardcover (RFC 7009) when disconnecting.

use super::AuthError;
use super::settings::OAuthSettings;
use super::tokens::StoredTokens;

/// RFC 7009, by hand: `oauth2`'s revocation request insists on an https endpoint, which
/// rules out the loopback emulator.
pub(crate) async fn revoke(
    settings: &OAuthSettings,
    http: &reqwest::Client,
    t: &StoredTokens,
) -> Result<(), AuthError> {
    let client_id = settings.client_id()?;
    // Refresh token first: revoking it ends the whole grant, so the access token dies with it
    // even if the second request never arrives.
    let mut revocable = Vec::new();
    if let Some(rt) = &t.refresh_token {
        revocable.push((rt, "refresh_token"));
    }
    revocable.push((&t.access_token, "access_token"));
    let url = &settings.revoke_url;
    for (token, hint) in revocable {
        let mut req = http.post(url.clone());
        req = match &settings.client_secret {
            Some(secret) => req.basic_auth(client_id, Some(secret.expose())),
            None => req,
        };
        let form = [("token", token.expose()), ("token_type_hint", hint), ("client_id", client_id)];
        let resp = req
            .form(&form)
            .send()
            .await
            .map_err(|e| AuthError::Unreachable { url: url.to_string(), message: e.to_string() })?;
        if !resp.status().is_success() {
            return Err(AuthError::Authorization(format!("revocation answered HTTP {}", resp.status())));
        }
    }
    Ok(())
}
