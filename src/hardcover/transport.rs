//! One POST to Hardcover's GraphQL endpoint: limiter first, bearer token, one refresh-and-retry
//! on 401, and HTTP statuses mapped to [`HardcoverError`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT, WWW_AUTHENTICATE};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::error::HardcoverError;
use super::ratelimit::{RateLimiter, parse_retry_after};
use super::token::{TokenError, TokenProvider};
use crate::secret::Secret;

/// Hardcover stops queries after 30 s; give the answer a little longer to arrive.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(40);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// 429s in a row after which an operation gives up (each waited out first): a server that keeps
/// refusing is not going to be outwaited by one request.
const MAX_RATE_LIMITED_RETRIES: u32 = 3;

/// `errors[]` entry of a GraphQL response.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct GqlError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub extensions: Option<Value>,
}

impl GqlError {
    fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }
}

/// A GraphQL answer that came back with HTTP 2xx: data and errors side by side, because an
/// operation of several fields can partly succeed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawResponse {
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub errors: Vec<GqlError>,
}

impl RawResponse {
    /// Any `errors[]` become an error; otherwise `data`.
    pub fn into_data(self) -> Result<Value, HardcoverError> {
        if !self.errors.is_empty() {
            return Err(graphql_error(&self.errors));
        }
        self.data.ok_or_else(|| HardcoverError::Decode("response has neither data nor errors".into()))
    }
}

pub(crate) fn graphql_error(errors: &[GqlError]) -> HardcoverError {
    HardcoverError::GraphQl { messages: errors.iter().map(|e| e.message.clone()).collect() }
}

pub(crate) struct Transport {
    http: reqwest::Client,
    url: Url,
    tokens: Arc<dyn TokenProvider>,
    pub(crate) limiter: Arc<RateLimiter>,
    /// Top-level fields this client sent (the limiter's count is shared by every client).
    sent: AtomicU64,
    /// The `Date` of Hardcover's latest answer: its clock, for `updated_at` comparisons.
    server_date: std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

impl Transport {
    pub fn new(
        url: Url,
        tokens: Arc<dyn TokenProvider>,
        limiter: Arc<RateLimiter>,
        request_timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Self, HardcoverError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HardcoverError::InvalidRequest(format!(
                "api_url must be an http(s) URL, got `{}`: fix scrobbling.hardcover.api_url in the config",
                url.scheme()
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .timeout(request_timeout)
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|e| HardcoverError::Network { message: format!("cannot set up HTTP: {e}") })?;
        Ok(Self { http, url, tokens, limiter, sent: AtomicU64::new(0), server_date: std::sync::Mutex::new(None) })
    }

    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    pub fn server_date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        *self.server_date.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Send one GraphQL document with `top_level_fields` root fields (what Hardcover bills).
    pub async fn post(&self, body: &Value, top_level_fields: u32) -> Result<RawResponse, HardcoverError> {
        let mut token = self.tokens.access_token().await?;
        let mut refreshed = false;
        let mut limited = 0;
        loop {
            self.limiter.acquire(top_level_fields).await?;
            self.sent.fetch_add(top_level_fields.max(1) as u64, Ordering::Relaxed);
            let attempt = match self.send_once(body, &token).await {
                // A 429 means the operation was not carried out: the same one is sent again once
                // the limiter (which now holds every request until Retry-After) lets it go. A
                // longer hold comes back from `acquire` as `RateLimited`, for the caller to defer.
                Err(HardcoverError::RateLimited { retry_after })
                    if limited < MAX_RATE_LIMITED_RETRIES && retry_after <= self.limiter.max_wait() =>
                {
                    limited += 1;
                    tracing::info!(retry_after_s = retry_after.as_secs(), "Hardcover asked to slow down; retrying");
                    continue;
                }
                other => other?,
            };
            match attempt {
                Attempt::Done(resp) => return Ok(resp),
                Attempt::Unauthorized if !refreshed => {
                    // One refresh, one retry: a second 401 means the token is gone for good and
                    // retrying would only burn quota.
                    token = self.tokens.refresh_after_unauthorized(&token).await?;
                    refreshed = true;
                }
                Attempt::Unauthorized => return Err(HardcoverError::Unauthorized),
            }
        }
    }

    async fn send_once(&self, body: &Value, token: &Secret) -> Result<Attempt, HardcoverError> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
            HardcoverError::Token(TokenError::ReconnectNeeded(
                "the stored Hardcover token contains characters no HTTP header allows".into(),
            ))
        })?;
        // Keeps the value out of HTTP-level debug logs.
        auth.set_sensitive(true);
        let resp = self
            .http
            .post(self.url.clone())
            .header(AUTHORIZATION, auth)
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, crate::USER_AGENT)
            .json(body)
            .send()
            .await
            .map_err(transport_error)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        self.limiter.observe_headers(header(&headers, "ratelimit"), header(&headers, "ratelimit-policy"));
        if let Some(date) = header(&headers, "date").and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok()) {
            *self.server_date.lock().unwrap_or_else(|p| p.into_inner()) = Some(date.with_timezone(&chrono::Utc));
        }
        // A connection that breaks mid-answer is a network failure, whatever reqwest calls it:
        // the request may have been carried out, and only a later look can tell.
        let text = resp.text().await.map_err(|e| match transport_error(e) {
            HardcoverError::Decode(message) => HardcoverError::Network { message },
            other => other,
        })?;

        match status {
            s if s.is_success() => {
                let parsed: RawResponse = serde_json::from_str(&text)
                    .map_err(|e| HardcoverError::Decode(format!("response is not GraphQL JSON: {e}")))?;
                // Hasura reports a bad JWT as HTTP 200 with this code; treat it like a 401.
                if parsed.data.is_none()
                    && parsed.errors.iter().any(|e| matches!(e.code(), Some("invalid-jwt" | "invalid-headers")))
                {
                    return Ok(Attempt::Unauthorized);
                }
                Ok(Attempt::Done(parsed))
            }
            StatusCode::UNAUTHORIZED => Ok(Attempt::Unauthorized),
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = parse_retry_after(header(&headers, "retry-after"));
                self.limiter.observe_retry_after(retry_after);
                Err(HardcoverError::RateLimited { retry_after })
            }
            StatusCode::FORBIDDEN => Err(forbidden(&text, header(&headers, WWW_AUTHENTICATE.as_str()))),
            StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => Err(HardcoverError::Timeout),
            StatusCode::BAD_REQUEST => {
                let body = ErrorBody::parse(&text);
                let mut messages: Vec<String> = serde_json::from_str::<RawResponse>(&text)
                    .map(|r| r.errors.into_iter().map(|e| e.message).collect())
                    .unwrap_or_default();
                if messages.is_empty() {
                    messages.push(body.describe().unwrap_or_else(|| "invalid query (HTTP 400)".into()));
                }
                Err(HardcoverError::GraphQl { messages })
            }
            s => {
                // A 503 may say when to come back; hold every request until then.
                if let Some(v) = header(&headers, "retry-after") {
                    self.limiter.observe_retry_after(parse_retry_after(Some(v)));
                }
                Err(HardcoverError::Server { status: s.as_u16(), message: ErrorBody::parse(&text).describe() })
            }
        }
    }
}

enum Attempt {
    Done(RawResponse),
    Unauthorized,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn transport_error(e: reqwest::Error) -> HardcoverError {
    if e.is_timeout() {
        HardcoverError::Timeout
    } else if e.is_decode() {
        HardcoverError::Decode(e.to_string())
    } else {
        // reqwest's message names the URL and the cause, never headers: no token can leak.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        HardcoverError::Network { message }
    }
}

/// Hardcover's error bodies: `{error, error_description, scope}` (OAuth style) or
/// `{message}` / `{errors: [...]}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl ErrorBody {
    fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    fn describe(&self) -> Option<String> {
        let parts: Vec<&str> =
            [&self.error, &self.error_description, &self.message].into_iter().flatten().map(String::as_str).collect();
        (!parts.is_empty()).then(|| truncate(&parts.join(": "), 200))
    }
}

fn forbidden(text: &str, www_authenticate: Option<&str>) -> HardcoverError {
    let body = ErrorBody::parse(text);
    let code = body.error.as_deref().unwrap_or_default();
    let mentions =
        |needle: &str| code == needle || text.contains(needle) || www_authenticate.is_some_and(|w| w.contains(needle));
    if mentions("top_level_limit_exceeded") {
        return HardcoverError::TopLevelLimit;
    }
    if mentions("insufficient_scope") {
        let scope = body
            .scope
            .clone()
            .or_else(|| www_authenticate.and_then(scope_param))
            .or_else(|| body.error_description.as_deref().and_then(scope_in_text))
            .unwrap_or_else(|| "required".into());
        return HardcoverError::InsufficientScope { scope };
    }
    HardcoverError::Server { status: 403, message: body.describe() }
}

/// `Bearer error="insufficient_scope", scope="write:library"` → `write:library`.
fn scope_param(www_authenticate: &str) -> Option<String> {
    let at = www_authenticate.find("scope=\"")? + "scope=\"".len();
    let rest = &www_authenticate[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// A scope named in free text such as "requires write:library".
fn scope_in_text(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '\'' | '"' | '`' | '(' | ')'))
        .find(|w| ["read:", "write:"].iter().any(|p| w.starts_with(p)))
        .map(|w| w.trim_end_matches(['.', ';']).to_owned())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { s.chars().take(max).collect::<String>() + "…" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_bodies_are_told_apart() {
        let e = forbidden(r#"{"error":"insufficient_scope","scope":"write:lists"}"#, None);
        assert!(matches!(e, HardcoverError::InsufficientScope { ref scope } if scope == "write:lists"), "{e:?}");
        let e = forbidden("", Some(r#"Bearer error="insufficient_scope", scope="write:library""#));
        assert!(matches!(e, HardcoverError::InsufficientScope { ref scope } if scope == "write:library"), "{e:?}");
        let e = forbidden(r#"{"error":"insufficient_scope","error_description":"this needs write:library."}"#, None);
        assert!(matches!(e, HardcoverError::InsufficientScope { ref scope } if scope == "write:library"), "{e:?}");
        let e = forbidden(r#"{"error":"top_level_limit_exceeded"}"#, None);
        assert!(matches!(e, HardcoverError::TopLevelLimit), "{e:?}");
        let e = forbidden(r#"{"error":"unsupported_operation"}"#, None);
        assert!(matches!(e, HardcoverError::Server { status: 403, .. }), "{e:?}");
    }
}
