//! Device authorization (RFC 8628): the app shows a user code, the user approves elsewhere.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rand::Rng;
use serde_json::json;

use super::OAuthState;
use super::grants::{DeviceCode, random_token};
use super::token::{client_id, oauth_error};

pub(crate) async fn device_authorization(
    State(st): State<OAuthState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(client_id) = client_id(&headers, &form).filter(|id| st.client(id).is_some()) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    };
    let knobs = st.knobs();
    let device_code = random_token("hc_dc_");
    // Two groups of four letters without vowels, as the RFC suggests (no accidental words).
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut rng = rand::thread_rng();
    let mut letter = || ALPHABET[rng.gen_range(0..ALPHABET.len())] as char;
    let user_code: String = (0..9).map(|i| if i == 4 { '-' } else { letter() }).collect();
    let scopes = st.grant_scopes(form.get("scope").map(String::as_str).unwrap_or(""));
    st.grants.add_device(
        device_code.clone(),
        DeviceCode {
            user_code: user_code.clone(),
            client_id,
            scopes,
            expires_at: Instant::now() + knobs.device_ttl,
            approved: false,
            polls: 0,
        },
    );
    Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": "https://hardcover.app/oauth2/device",
        "verification_uri_complete": format!("https://hardcover.app/oauth2/device?user_code={user_code}"),
        "expires_in": knobs.device_ttl.as_secs().max(1),
        "interval": knobs.device_interval,
    }))
    .into_response()
}

/// Test hook: `POST /oauth2/device/approve` with `user_code=…` stands in for the user approving on
/// the website.
pub(crate) async fn approve_hook(
    State(st): State<OAuthState>,
    Form(form): Form<HashMap<String, String>>,
) -> StatusCode {
    match form.get("user_code") {
        Some(code) if st.approve_device(code) => StatusCode::NO_CONTENT,
        _ => StatusCode::NOT_FOUND,
    }
}
