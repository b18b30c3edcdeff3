//! Secrets of reading servers (API keys, passwords) that the config leaves out: kept in the OS
//! keyring beside Hardcover's tokens, one entry per source (`source:<name>`), so they never sit
//! in the config file in plain text.

use crate::config::TokenStoreKind;
use crate::secret::Secret;

use super::store::{KEYRING_SERVICE, TokenStoreError};

fn entry(source: &str) -> Result<keyring::Entry, TokenStoreError> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("source:{source}"))
        .map_err(|e| TokenStoreError::NoKeyring(e.to_string()))
}

/// The keyring's secret for `source`, if any. With the file token store there is no keyring to
/// ask: the secret must come from the config (e.g. `api_key: ${ABS_API_KEY}`).
pub fn source_secret(kind: TokenStoreKind, source: &str) -> Result<Option<Secret>, TokenStoreError> {
    if kind == TokenStoreKind::File {
        return Ok(None);
    }
    match entry(source)?.get_password() {
        Ok(s) => Ok(Some(Secret::new(s))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(keyring::Error::PlatformFailure(e)) => Err(TokenStoreError::NoKeyring(e.to_string())),
        Err(e) => Err(TokenStoreError::Keyring(e.to_string())),
    }
}

/// Save (or with `None`, delete) the keyring secret for `source`.
pub fn set_source_secret(source: &str, secret: Option<&Secret>) -> Result<(), TokenStoreError> {
    let e = entry(source)?;
    let r = match secret {
        Some(s) => e.set_password(s.expose()),
        None => match e.delete_credential() {
            Err(keyring::Error::NoEntry) => Ok(()),
            other => other,
        },
    };
    r.map_err(|e| TokenStoreError::Keyring(e.to_string()))
}
