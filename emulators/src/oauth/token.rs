//! The token endpoint: authorization code (PKCE S256), refresh token (rotating, reuse revokes the
//! chain) and device code grants.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::grants::{Issued, RefreshError};
use super::{OAuthState, bump};

pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({ "error": error, "error_description": description }))).into_response()
}

fn grant_error(error: &str, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}

fn issued(i: Issued) -> Response {
    Json(json!({
        "access_token": i.access_token,
        "token_type": "bearer",
        "expires_in": i.expires_in,
        "refresh_token": i.refresh_token,
        "scope": i.scopes.join(" "),
    }))
    .into_response()
}

/// The client id from the form (public clients) or from HTTP Basic auth (confidential ones).
pub(crate) fn client_id(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<String> {
    if let Some(id) = form.get("client_id") {
        return Some(id.clone());
    }
    let basic = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
    let id = decoded.split(':').next()?;
    Some(url::form_urlencoded::parse(format!("x={id}").as_bytes()).next()?.1.into_owned())
}

pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub(crate) async fn token(
    State(st): State<OAuthState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    bump(&st.counters.token_requests);
    let Some(client_id) = client_id(&headers, &form).filter(|id| st.client(id).is_some()) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    };
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    match get("grant_type") {
        "authorization_code" => {
            bump(&st.counters.code_exchanges);
            authorization_code(&st, &client_id, get("code"), get("redirect_uri"), get("code_verifier"))
        }
        "refresh_token" => {
            bump(&st.counters.refresh_requests);
            match st.grants.rotate(&st, get("refresh_token"), &client_id) {
                Ok((chain, scopes)) => {
                    let answer = issued(st.grants.issue(&st, chain, &client_id, scopes));
                    let latency = st.knobs().refresh_latency;
                    if !latency.is_zero() {
                        tokio::time::sleep(latency).await;
                    }
                    answer
                }
                Err(RefreshError::Invalid) => grant_error("invalid_grant", "refresh token is invalid or expired"),
                Err(RefreshError::Reused) => {
                    grant_error("invalid_grant", "refresh token was already used: every token of this grant is revoked")
                }
            }
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            bump(&st.counters.device_polls);
            device_code(&st, &client_id, get("device_code"))
        }
        other => grant_error("unsupported_grant_type", &format!("grant_type {other:?} is not supported")),
    }
}

fn authorization_code(st: &OAuthState, client_id: &str, code: &str, redirect_uri: &str, verifier: &str) -> Response {
    let now = Instant::now();
    let taken = st.grants.use_code(code, |c| {
        c.client_id == client_id
            && c.redirect_uri == redirect_uri
            && c.expires_at > now
            && s256(verifier) == c.challenge
    });
    match taken {
        Ok(c) => issued(st.grants.issue(st, c.chain.expect("set by use_code"), client_id, c.scopes)),
        Err(Some(chain)) => {
            // A replayed code means it leaked: revoke what the first exchange issued.
            st.grants.revoke_chain(st, chain);
            grant_error("invalid_grant", "authorization code was already used")
        }
        Err(None) => grant_error(
            "invalid_grant",
            "authorization code is unknown, expired, or does not match the client, redirect_uri or code_verifier",
        ),
    }
}

fn device_code(st: &OAuthState, client_id: &str, device_code: &str) -> Response {
    let knobs = st.knobs();
    let now = Instant::now();
    enum Poll {
        SlowDown,
        Pending,
        Expired,
        Denied,
        Approved(Vec<String>),
        WrongClient,
    }
    let poll = st.grants.with_device(device_code, |d| {
        d.polls += 1;
        if d.client_id != client_id {
            Poll::WrongClient
        } else if d.expires_at <= now {
            Poll::Expired
        } else if d.polls <= knobs.device_slow_down_polls {
            Poll::SlowDown
        } else if knobs.deny {
            Poll::Denied
        } else if d.approved {
            Poll::Approved(d.scopes.clone())
        } else {
            Poll::Pending
        }
    });
    match poll {
        None | Some(Poll::WrongClient) => grant_error("invalid_grant", "unknown device code"),
        Some(Poll::SlowDown) => grant_error("slow_down", "polling too fast"),
        Some(Poll::Pending) => grant_error("authorization_pending", "the user has not approved yet"),
        Some(Poll::Expired) => {
            st.grants.remove_device(device_code);
            grant_error("expired_token", "the device code expired")
        }
        Some(Poll::Denied) => {
            st.grants.remove_device(device_code);
            grant_error("access_denied", "the user refused")
        }
        Some(Poll::Approved(scopes)) => {
            st.grants.remove_device(device_code);
            let chain = st.grants.new_chain();
            issued(st.grants.issue(st, chain, client_id, scopes))
        }
    }
}
