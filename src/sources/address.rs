//! A reading server's address as a person types it: the one parser the config file and the
//! window's source editor share, so both say the same thing about the same mistake.

use url::Url;

/// Parse a server URL, explaining what to fix: a missing `http://` (the most common slip:
/// "nas.local:13378"), another scheme, or something that is not an address at all.
pub fn parse_url(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is empty: give the server's address, e.g. http://nas.local:13378".into());
    }
    let lower = raw.to_ascii_lowercase();
    if !lower.contains("://") {
        return Err(format!("{raw:?} has no scheme: add http:// or https:// in front (e.g. http://{raw})"));
    }
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!("{raw:?} must start with http:// or https://"));
    }
    let url = Url::parse(raw).map_err(|e| format!("{raw:?} is not a valid address: {e}"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{raw:?} names no server: put the host name or IP address after http://"));
    }
    Ok(url)
}

/// `#[serde(deserialize_with)]` for a source's `url`.
pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let raw = <String as serde::Deserialize>::deserialize(d)?;
    parse_url(&raw).map_err(|e| serde::de::Error::custom(format!("url {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_a_scheme_says_add_http() {
        let e = parse_url("nas.local").unwrap_err();
        assert!(e.contains("add http:// or https://") && e.contains("http://nas.local"), "{e}");
        let e = parse_url("192.168.1.5:13378").unwrap_err();
        assert!(e.contains("add http:// or https://"), "an IP with a port has no scheme either: {e}");
        let e = parse_url("nas.local:13378").unwrap_err();
        assert!(e.contains("add http:// or https://"), "a host with a port is not a scheme: {e}");
    }

    #[test]
    fn other_schemes_and_empty_addresses_are_named() {
        assert!(parse_url("ftp://nas.local").unwrap_err().contains("must start with http:// or https://"));
        assert!(parse_url("  ").unwrap_err().contains("is empty"));
        assert!(parse_url("http://").unwrap_err().contains("not a valid address") || parse_url("http://").is_err());
        assert_eq!(parse_url(" HTTP://Nas.Local:13378/abs/ ").unwrap().as_str(), "http://nas.local:13378/abs/");
    }
}
