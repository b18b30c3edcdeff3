//! Token revocation (RFC 7009). Revoking a refresh token revokes its whole grant.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;

use super::{OAuthState, bump};

pub(crate) async fn revoke(State(st): State<OAuthState>, Form(form): Form<HashMap<String, String>>) -> StatusCode {
    bump(&st.counters.revocations);
    let token = form.get("token").map(String::as_str).unwrap_or("");
    if !st.grants.revoke_refresh(&st, token) {
        st.registry.revoke(token);
    }
    // RFC 7009 §2.2: unknown tokens are not an error.
    StatusCode::OK
}
