//! What the reading-server emulators share: generated books to seed them with, and the fault
//! knobs (HTML instead of JSON, truncated JSON, 500s) every one of them offers.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One book on a reading server with the user's progress in it. Each emulator turns these into
/// its own server's shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedBook {
    pub title: String,
    pub subtitle: Option<String>,
    pub author: String,
    /// As the server stores it: may hold an ISBN-10, hyphens, or nothing.
    pub isbn: Option<String>,
    pub asin: Option<String>,
    pub audio: bool,
    /// 0..1 of the way through (audio: of the duration; text: of the pages).
    pub fraction: f64,
    pub finished: bool,
    pub duration_secs: f64,
    pub pages: u32,
    /// Epoch milliseconds.
    pub started_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
}

/// A fixed moment the generated timestamps count from (2026-01-01T00:00:00Z), so tests can
/// compare dates exactly.
pub const BASE_MS: i64 = 1_767_225_600_000;

impl SeedBook {
    /// The `n`th generated book: audio and ebook alternate, every third one is finished, every one
    /// has a valid ISBN-13 and audio ones an ASIN. Deterministic, so tests can predict it.
    pub fn generated(n: usize) -> Self {
        let audio = n.is_multiple_of(2);
        let finished = n % 3 == 2;
        let fraction = if finished { 1.0 } else { ((n % 9) as f64 + 1.0) / 10.0 };
        let started_ms = BASE_MS + n as i64 * 3_600_000;
        let updated_ms = started_ms + 86_400_000;
        Self {
            title: format!("Generated Book {n}"),
            subtitle: (n % 4 == 1).then(|| format!("Part {n}")),
            author: format!("Author {}", n % 7),
            isbn: Some(isbn13_for(n as u64)),
            asin: audio.then(|| format!("B0GEN{n:05}")),
            audio,
            fraction,
            finished,
            duration_secs: 3600.0 + n as f64,
            pages: 100 + (n as u32 % 400),
            started_ms,
            updated_ms,
            finished_ms: finished.then_some(updated_ms),
        }
    }

    pub fn many(count: usize) -> Vec<Self> {
        (0..count).map(Self::generated).collect()
    }

    /// Pages read, for paged servers: rounded so the fraction survives the round trip closely.
    pub fn pages_read(&self) -> u32 {
        if self.finished { self.pages } else { ((self.fraction * self.pages as f64).round() as u32).min(self.pages) }
    }
}

/// A valid ISBN-13 (978 prefix, correct check digit) derived from `n`.
pub fn isbn13_for(n: u64) -> String {
    let body = format!("978{:09}", 100_000_000 + n % 900_000_000);
    let sum: u32 = body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// How an emulator misbehaves, set at any time through its handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// 200 with an HTML page, like a reverse proxy's login page or the web UI's URL.
    Html,
    /// 200 with the JSON cut in half.
    TruncatedJson,
    /// 500 Internal Server Error.
    ServerError,
}

/// The response for `fault`, or `None` to answer normally. `body` is the JSON the handler would
/// send, so truncation cuts a real response.
pub fn faulty(fault: Fault, body: &serde_json::Value) -> Option<Response> {
    match fault {
        Fault::None => None,
        Fault::Html => Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>",
            )
                .into_response(),
        ),
        Fault::TruncatedJson => {
            let mut bytes = body.to_string().into_bytes();
            bytes.truncate(bytes.len() / 2);
            Some(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
        }
        Fault::ServerError => Some((StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()),
    }
}

/// A JSON response, or the configured fault in its place.
pub fn reply(fault: Fault, body: serde_json::Value) -> Response {
    faulty(fault, &body).unwrap_or_else(|| axum::Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_isbns_are_valid() {
        for n in [0, 1, 42, 99_999] {
            let isbn = isbn13_for(n);
            let sum: u32 =
                isbn.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
            assert_eq!(sum % 10, 0, "generated ISBN {isbn} must have a valid check digit");
        }
    }
}
