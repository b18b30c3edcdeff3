//! Discovery and the authorize endpoint (auto-approving: there is no consent screen to click).

use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use url::Url;

use super::OAuthState;
use super::grants::{Code, random_token};

/// RFC 8414 metadata. Endpoint URLs follow the Host the client used, so it works on any port.
pub(crate) async fn discovery(State(st): State<OAuthState>, headers: HeaderMap) -> Json<serde_json::Value> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let base = format!("http://{host}");
    Json(json!({
        "issuer": st.issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "device_authorization_endpoint": format!("{base}/oauth2/device"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": st.knobs().advertise_iss,
        "scopes_supported": crate::hardcover::tokens::ALL_SCOPES,
    }))
}

/// RFC 8252 §7.3: for loopback IP redirects the port is not compared.
pub(crate) fn redirect_matches(registered: &str, given: &str) -> bool {
    let (Ok(r), Ok(g)) = (Url::parse(registered), Url::parse(given)) else { return false };
    let loopback = matches!(g.host_str(), Some("127.0.0.1") | Some("[::1]"));
    r.scheme() == g.scheme()
        && r.host_str() == g.host_str()
        && r.path() == g.path()
        && (loopback || r.port_or_known_default() == g.port_or_known_default())
}

/// 302, as Hardcover answers (not axum's 303).
fn found(target: &Url) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, target.as_str().to_owned())]).into_response()
}

fn bad_request(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("invalid authorization request: {msg}")).into_response()
}

pub(crate) async fn authorize(State(st): State<OAuthState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let Some(client) = st.client(get("client_id")) else { return bad_request("unknown client_id") };
    let redirect_uri = get("redirect_uri");
    if !client.redirect_uris.iter().any(|r| redirect_matches(r, redirect_uri)) {
        // Never redirect to an unregistered URI: the error is shown here instead.
        return bad_request("redirect_uri is not registered for this client");
    }
    let knobs = st.knobs();
    let iss = if knobs.wrong_iss { "https://evil.example".to_owned() } else { st.issuer.clone() };
    let mut target = Url::parse(redirect_uri).expect("checked above");
    let state = get("state").to_owned();
    let with_iss = |target: &mut Url| {
        if !knobs.omit_iss {
            target.query_pairs_mut().append_pair("iss", &iss);
        }
    };
    let fail = |mut target: Url, error: &str| {
        target.query_pairs_mut().append_pair("error", error).append_pair("state", &state);
        with_iss(&mut target);
        found(&target)
    };
    if get("response_type") != "code" {
        return fail(target, "unsupported_response_type");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        // Hardcover requires PKCE S256: no plain, no PKCE-less public clients.
        return fail(target, "invalid_request");
    }
    if knobs.deny {
        return fail(target, "access_denied");
    }
    let scopes = st.grant_scopes(get("scope"));
    let code = random_token("hc_code_");
    st.grants.add_code(
        code.clone(),
        Code {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            challenge: get("code_challenge").to_owned(),
            scopes,
            expires_at: Instant::now() + knobs.code_ttl,
            chain: None,
        },
    );
    target.query_pairs_mut().append_pair("code", &code).append_pair("state", &state);
    with_iss(&mut target);
    found(&target)
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn loopback_port_may_vary_but_path_and_host_may_not() {
        let reg = "http://127.0.0.1/callback";
        assert!(redirect_matches(reg, "http://127.0.0.1:54321/callback"), "RFC 8252 §7.3: any loopback port");
        assert!(!redirect_matches(reg, "http://127.0.0.1:54321/other"), "the path must match");
        assert!(!redirect_matches(reg, "http://localhost:54321/callback"), "the host must match");
        assert!(
            !redirect_matches("https://app.example/cb", "https://app.example:8443/cb"),
            "non-loopback ports must match"
        );
    }
}
