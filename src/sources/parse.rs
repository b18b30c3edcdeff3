//! Shared pieces of the pure response parsers (`parse_*(&[u8])` in each source module).
//!
//! Parsers take bytes and never panic, so they can be fuzzed (`fuzz/`) and fed garbage in tests.
//! Their errors describe what was wrong with the body in words a user can act on.

use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// Deserialize JSON, telling apart the usual ways a wrong URL or a broken server shows up.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        return Err(ParseError("the server sent an empty body instead of JSON".into()));
    }
    if trimmed.starts_with(b"<") {
        return Err(ParseError(
            "the server sent an HTML page instead of JSON (a login page, a proxy, or the web app's URL)".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            ParseError(format!("the JSON ends early (truncated response): {e}"))
        } else if e.is_syntax() {
            ParseError(format!("malformed JSON: {e}"))
        } else {
            ParseError(format!("JSON without the expected fields: {e}"))
        }
    })
}

/// A JSON number that some servers send as a string (`"2021"`, `"0.5"`), or null.
pub mod lenient_f64 {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Num {
            F(f64),
            S(String),
            Other(serde::de::IgnoredAny),
        }
        Ok(match Option::<Num>::deserialize(d)? {
            Some(Num::F(f)) => Some(f),
            Some(Num::S(s)) => s.trim().parse().ok(),
            Some(Num::Other(_)) | None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_empty_truncated_and_wrong_shapes_are_told_apart() {
        let e = json::<serde_json::Value>(b"  <!doctype html><html>").unwrap_err();
        assert!(e.0.contains("HTML"), "an HTML body must be called HTML: {e}");
        assert!(json::<serde_json::Value>(b"").unwrap_err().0.contains("empty"));
        assert!(json::<serde_json::Value>(b"{\"a\": [1, 2").unwrap_err().0.contains("truncated"));
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Need {
            id: String,
        }
        assert!(json::<Need>(b"{}").unwrap_err().0.contains("expected fields"));
    }
}
