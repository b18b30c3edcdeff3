//! Secrets of reading servers (API keys, passwords) that the config leaves out, so they never sit
//! in the config file in plain text: in the OS keyring beside Hardcover's tokens, one entry per
//! source (`source:<name>`); with `token_store: file`, or when no keyring answers, in a private
//! file beside the token file (JSON `{source: secret}`, 0600).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::TokenStoreKind;
use crate::secret::Secret;

use super::store::{KEYRING_SERVICE, TokenStoreError, keyring_error, write_private};

/// Where a saved secret went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretPlace {
    Keyring,
    /// The private file (the user is told its path).
    File(PathBuf),
}

fn entry(source: &str) -> Result<keyring::Entry, TokenStoreError> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("source:{source}"))
        .map_err(|e| TokenStoreError::NoKeyring(e.to_string()))
}

/// The secret kept for `source`, if any: the keyring's (with `token_store: keyring`), else the
/// private file's. `file` is [`crate::paths::AppPaths::source_secrets_file`].
pub fn source_secret(kind: TokenStoreKind, file: &Path, source: &str) -> Result<Option<Secret>, TokenStoreError> {
    if kind == TokenStoreKind::Keyring {
        let found = entry(source).map_err(Some).and_then(|e| e.get_password().map_err(keyring_error_or_none));
        match found {
            Ok(s) => return Ok(Some(Secret::new(s))),
            // No entry, or no keyring in this session: a secret kept in the file is still found.
            Err(None | Some(TokenStoreError::NoKeyring(_))) => {}
            Err(Some(e)) => return Err(e),
        }
    }
    Ok(read_file(file)?.remove(source).map(Secret::new))
}

fn keyring_error_or_none(e: keyring::Error) -> Option<TokenStoreError> {
    match e {
        keyring::Error::NoEntry => None,
        other => Some(keyring_error(other)),
    }
}

/// Keep `secret` for `source`: in the keyring with `token_store: keyring` when one answers, else
/// in the private file. Never nowhere: a failure is an error naming the file or keyring.
pub fn set_source_secret(
    kind: TokenStoreKind,
    file: &Path,
    source: &str,
    secret: &Secret,
) -> Result<SecretPlace, TokenStoreError> {
    if kind == TokenStoreKind::Keyring {
        match entry(source).and_then(|e| e.set_password(secret.expose()).map_err(keyring_error)) {
            Ok(()) => {
                // An older copy in the file would be found if the keyring went away: drop it.
                remove_from_file(file, source)?;
                return Ok(SecretPlace::Keyring);
            }
            Err(TokenStoreError::NoKeyring(why)) => {
                tracing::warn!("no keyring ({why}): the secret of source {source:?} goes to {}", file.display());
            }
            Err(e) => return Err(e),
        }
    }
    let mut all = read_file(file)?;
    all.insert(source.to_owned(), secret.expose().to_owned());
    write_file(file, &all)?;
    Ok(SecretPlace::File(file.to_path_buf()))
}

fn file_error(file: &Path, source: std::io::Error) -> TokenStoreError {
    TokenStoreError::File { path: file.to_path_buf(), source }
}

fn read_file(file: &Path) -> Result<BTreeMap<String, String>, TokenStoreError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => Secret::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(file_error(file, e)),
    };
    // serde_json's message can quote the input: it is replaced, as the file holds secrets.
    serde_json::from_str(text.expose()).map_err(|_| {
        file_error(
            file,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a JSON object of source names to secrets; delete it and type the secrets again in Settings",
            ),
        )
    })
}

fn write_file(file: &Path, all: &BTreeMap<String, String>) -> Result<(), TokenStoreError> {
    let json = Secret::new(serde_json::to_string_pretty(all).expect("a map of strings always serializes"));
    write_private(file, json.expose().as_bytes()).map_err(|e| file_error(file, e))
}

fn remove_from_file(file: &Path, source: &str) -> Result<(), TokenStoreError> {
    let mut all = match read_file(file) {
        Ok(all) => all,
        // A file that cannot be read cannot hold a stale copy worth failing the save over.
        Err(_) => return Ok(()),
    };
    if all.remove(source).is_some() {
        write_file(file, &all)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn without_a_keyring_the_secret_goes_to_a_private_file_and_is_found_again() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data").join("source-secrets.json");
        let kind = TokenStoreKind::File;
        let place = set_source_secret(kind, &file, "abs", &Secret::new("k3y-one")).unwrap();
        assert_eq!(place, SecretPlace::File(file.clone()), "the user must be told which file holds it");
        set_source_secret(kind, &file, "komga", &Secret::new("pw-two")).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the secrets file must be readable by the user only");
        assert_eq!(source_secret(kind, &file, "abs").unwrap().unwrap().expose(), "k3y-one");
        assert_eq!(source_secret(kind, &file, "komga").unwrap().unwrap().expose(), "pw-two", "one entry per source");
        assert!(source_secret(kind, &file, "kavita").unwrap().is_none());
    }

    #[test]
    fn a_damaged_secrets_file_is_named_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("source-secrets.json");
        std::fs::write(&file, "{\"abs\": \"k3y-one\"").unwrap();
        let err = source_secret(TokenStoreKind::File, &file, "abs").unwrap_err().to_string();
        assert!(err.contains("source-secrets.json") && err.contains("Settings"), "{err}");
        assert!(!err.contains("k3y-one"), "the error must not echo a secret: {err}");
    }
}
