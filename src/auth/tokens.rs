//! The token set kept in the token store: access token, refresh token and expiry, saved together
//! as one JSON secret so they can never drift apart (a rotated refresh token saved without its
//! access token, or the other way round).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// From the OAuth flows: expires, has a rotating refresh token.
    OAuth,
    /// Pasted personal access token (`hc_pat_…`): no refresh, expiry unknown to the app.
    Personal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTokens {
    pub kind: TokenKind,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Scopes granted, when the server said; otherwise those requested.
    pub scopes: Vec<String>,
}

/// The on-disk / in-keyring shape. Private, and only built right before writing to a store:
/// `Secret` refuses to serialize, so this is the one place tokens become plain strings.
#[derive(Serialize, Deserialize)]
struct Wire {
    v: u32,
    kind: TokenKind,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the saved Hardcover sign-in is unreadable ({0}): disconnect and connect again")]
pub struct CorruptTokens(String);

impl StoredTokens {
    pub fn personal(token: Secret) -> Self {
        Self {
            kind: TokenKind::Personal,
            access_token: token,
            refresh_token: None,
            expires_at: None,
            scopes: Vec::new(),
        }
    }

    /// The JSON kept in the store, itself a secret.
    pub fn to_secret_json(&self) -> Secret {
        let wire = Wire {
            v: 1,
            kind: self.kind,
            access_token: self.access_token.expose().to_owned(),
            refresh_token: self.refresh_token.as_ref().map(|s| s.expose().to_owned()),
            expires_at: self.expires_at,
            scopes: self.scopes.clone(),
        };
        Secret::new(serde_json::to_string(&wire).expect("plain strings always serialize"))
    }

    pub fn from_secret_json(json: &str) -> Result<Self, CorruptTokens> {
        // Only the position: serde_json's own message quotes the offending value ("invalid type:
        // string \"hc_at_…\"") and that may be a token.
        let w: Wire = serde_json::from_str(json)
            .map_err(|e| CorruptTokens(format!("not readable at line {}, column {}", e.line(), e.column())))?;
        if w.v != 1 {
            return Err(CorruptTokens(format!("format version {} is newer than this app", w.v)));
        }
        Ok(Self {
            kind: w.kind,
            access_token: Secret::new(w.access_token),
            refresh_token: w.refresh_token.map(Secret::new),
            expires_at: w.expires_at,
            scopes: w.scopes,
        })
    }
}

/// The scopes without which the app cannot do its job (`write:lists` only powers list editing).
pub const REQUIRED_SCOPES: &[&str] = &["read:me:content", "read:catalog", "read:library", "write:library"];

impl StoredTokens {
    /// From a token endpoint answer. A server that omits `scope` granted what was asked (RFC 6749
    /// §5.1); `previous_refresh` is kept when a refresh answer carries no new refresh token.
    pub(crate) fn from_response(
        r: &oauth2::basic::BasicTokenResponse,
        requested: &[String],
        previous_refresh: Option<&Secret>,
        now: DateTime<Utc>,
    ) -> Self {
        use oauth2::TokenResponse;
        let scopes = match r.scopes() {
            Some(s) => s.iter().map(|s| s.to_string()).collect(),
            None => requested.to_vec(),
        };
        Self {
            kind: TokenKind::OAuth,
            access_token: Secret::new(r.access_token().secret().clone()),
            refresh_token: r
                .refresh_token()
                .map(|t| Secret::new(t.secret().clone()))
                .or_else(|| previous_refresh.cloned()),
            expires_at: r.expires_in().and_then(|d| chrono::Duration::from_std(d).ok()).map(|d| now + d),
            scopes,
        }
    }

    /// Required scopes this token set lacks (empty for personal tokens: their scopes are unknown
    /// and checked with a probe instead).
    pub fn missing_scopes(&self) -> Vec<String> {
        if self.kind == TokenKind::Personal {
            return Vec::new();
        }
        REQUIRED_SCOPES.iter().filter(|s| !self.scopes.iter().any(|g| g == *s)).map(|s| s.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_and_debug_hides_tokens() {
        let t = StoredTokens {
            kind: TokenKind::OAuth,
            access_token: Secret::new("hc_at_1"),
            refresh_token: Some(Secret::new("hc_rt_1")),
            expires_at: Some(DateTime::from_timestamp(1_800_000_000, 0).unwrap()),
            scopes: vec!["read:library".into()],
        };
        let back = StoredTokens::from_secret_json(t.to_secret_json().expose()).unwrap();
        assert_eq!(back, t, "access, refresh, expiry and scopes must survive the store together");
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("hc_at_1") && !dbg.contains("hc_rt_1"), "Debug must not show tokens: {dbg}");
    }

    #[test]
    fn corrupt_json_error_does_not_echo_content() {
        for corrupt in [
            "{\"access_token\":\"hc_at_leak\"",
            "{\"v\":\"hc_at_leak\",\"kind\":\"o_auth\",\"access_token\":\"x\"}",
            "{\"v\":1,\"kind\":\"hc_at_leak\",\"access_token\":\"x\"}",
            "{\"v\":1,\"kind\":\"o_auth\",\"access_token\":[\"hc_at_leak\"]}",
            "hc_at_leak",
        ] {
            let err = StoredTokens::from_secret_json(corrupt).unwrap_err();
            assert!(!err.to_string().contains("hc_at_leak"), "the message must never quote the file: {err}");
            assert!(err.to_string().contains("connect again"), "the message must say what to do: {err}");
        }
    }
}
