//! What can go wrong talking to Hardcover, worded so the user knows what to fix.
//!
//! No variant ever carries the token: messages are built from status codes and Hardcover's own
//! error texts only.

use std::time::Duration;

use super::token::TokenError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum HardcoverError {
    /// Hardcover rejected the token twice (once more after a refresh): it was revoked, reset or
    /// expired. Retrying would only burn quota.
    #[error(
        "Hardcover rejected the token: reconnect Hardcover (`hardcover-sync connect`, or Connect Hardcover… in the tray)"
    )]
    Unauthorized,

    /// The token works but lacks a scope this request needs (e.g. `write:library`).
    #[error("the Hardcover token lacks the `{scope}` permission: reconnect Hardcover and grant it")]
    InsufficientScope { scope: String },

    /// HTTP 429. The shared limiter already holds further requests back for `retry_after`.
    #[error("Hardcover rate limit reached: retrying in {}s", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },

    /// The daily request budget is spent; nothing more can be sent until it resets.
    #[error("Hardcover's daily request budget is used up{}: the rest waits until then", match resets_in { Some(d) => format!(" (resets in {})", human(*d)), None => String::new() })]
    DailyLimit { resets_in: Option<Duration> },

    /// HTTP 403 `top_level_limit_exceeded`: a bug in our batching, never the user's fault.
    #[error(
        "Hardcover refused an operation with too many top-level fields (a bug in hardcover-sync: please report it)"
    )]
    TopLevelLimit,

    #[error("Hardcover answered HTTP {status}{}: try again later", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Server { status: u16, message: Option<String> },

    #[error("Hardcover did not answer in time: check your connection, the next sync retries")]
    Timeout,

    #[error("cannot reach Hardcover ({message}): check your internet connection and the configured api_url")]
    Network { message: String },

    /// HTTP 200 with `errors[]` (Hasura reports permission problems and bad queries this way).
    #[error("Hardcover reported: {}", messages.join("; "))]
    GraphQl { messages: Vec<String> },

    /// A mutation payload came back with a non-null `error` (or a null id where one was due):
    /// nothing changed on Hardcover.
    #[error("Hardcover refused {field}: {message}")]
    Mutation { field: String, message: String },

    #[error(transparent)]
    Token(#[from] TokenError),

    #[error("unexpected answer from Hardcover ({0}): the API may have changed, please report it")]
    Decode(String),

    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl HardcoverError {
    /// True when only the user can fix it by connecting again (with the needed scopes).
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self,
            Self::Unauthorized
                | Self::InsufficientScope { .. }
                | Self::Token(TokenError::ReconnectNeeded(_) | TokenError::NotConnected)
        )
    }

    /// True when the same request may succeed later without anyone changing anything
    /// (offline, timeouts, 5xx, rate limits).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::DailyLimit { .. }
                | Self::Server { .. }
                | Self::Timeout
                | Self::Network { .. }
        )
    }

    /// A stable code for the UI and logs to switch on (never the message text).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::RateLimited { .. } => "rate_limited",
            Self::DailyLimit { .. } => "daily_limit",
            Self::TopLevelLimit => "top_level_limit",
            Self::Server { .. } => "server",
            Self::Timeout => "timeout",
            Self::Network { .. } => "network",
            Self::GraphQl { .. } => "graphql",
            Self::Mutation { .. } => "mutation",
            Self::Token(_) => "token",
            Self::Decode(_) => "decode",
            Self::InvalidRequest(_) => "invalid_request",
        }
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m", s.div_ceil(60))
    } else {
        format!("{}s", s.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_to_fix() {
        let e = HardcoverError::InsufficientScope { scope: "write:library".into() };
        assert!(e.to_string().contains("write:library"), "a scope error must name the missing scope");
        assert!(e.needs_reconnect(), "a missing scope is fixed by reconnecting");
        assert!(HardcoverError::Unauthorized.to_string().contains("reconnect"));
        let d = HardcoverError::DailyLimit { resets_in: Some(Duration::from_secs(7260)) };
        assert!(d.to_string().contains("2h01m"), "the daily limit message says when it resets: {d}");
        assert!(!HardcoverError::Timeout.needs_reconnect() && HardcoverError::Timeout.is_transient());
    }
}
