//! A string that must never be shown: tokens, API keys, passwords.
//!
//! Debug and Display print `<redacted>` and serializing fails, so a secret cannot leak through a
//! log line, an error message, an IPC payload or a database row by accident. Reading the value is
//! an explicit, greppable call to [`Secret::expose`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value. Call it only where the secret leaves for its one legitimate destination
    /// (an HTTP header, the token store).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refusing to serialize a secret; store it through a TokenStore instead"))
    }
}

// Deserializing is allowed: secrets arrive from config files (after `${ENV}` expansion) and from
// token endpoints.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hc_at_not-a-real-token");
        assert_eq!(format!("{s:?}"), "<redacted>", "Debug must never print a secret");
        assert_eq!(format!("{s}"), "<redacted>", "Display must never print a secret");
        assert_eq!(s.expose(), "hc_at_not-a-real-token");
    }

    #[test]
    fn serializing_is_refused() {
        let s = Secret::new("hc_at_not-a-real-token");
        let err = serde_json::to_string(&s).expect_err("a secret must refuse to serialize");
        assert!(!err.to_string().contains("not-a-real"), "the error must not echo the secret");
    }

    #[test]
    fn deserializing_is_allowed() {
        let s: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(s.expose(), "abc");
    }
}
