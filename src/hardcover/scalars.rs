//! Numbers Hasura may send either as JSON numbers or as strings (`numeric` and `float8` are
//! stringified on some servers): accept both rather than fail a whole page.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct LenientF64(pub f64);

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrStr {
    F(f64),
    S(String),
}

impl<'de> Deserialize<'de> for LenientF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumOrStr::deserialize(d)? {
            NumOrStr::F(f) => Ok(Self(f)),
            NumOrStr::S(s) => s.trim().parse().map(Self).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_or_strings() {
        let v: LenientF64 = serde_json::from_str("\"4.5\"").unwrap();
        assert_eq!(v.0, 4.5, "a stringified numeric must parse");
        let v: LenientF64 = serde_json::from_str("4").unwrap();
        assert_eq!(v.0, 4.0);
        assert!(serde_json::from_str::<LenientF64>("\"x\"").is_err());
    }
}
