//! Where tokens are kept: the OS keyring (default), a 0600 file (headless machines, by choice),
//! or memory (unit tests). A missing entry is `Ok(None)`, not an error.
//!
//! Calls may block (the keyring talks D-Bus): from async code go through [`get`], [`save`] and
//! [`delete`], which hop to a blocking thread.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::tokens::{CorruptTokens, StoredTokens};
use crate::config::TokenStoreKind;
use crate::paths::AppPaths;
use crate::secret::Secret;

/// The keyring service name; the entry is visible under it in Seahorse / `secret-tool`.
pub const KEYRING_SERVICE: &str = "hardcover-sync";
const KEYRING_USER: &str = "hardcover";

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error(
        "no OS keyring is available in this build or session ({0}). On a headless machine set `token_store: file` under scrobbling.hardcover in the config"
    )]
    NoKeyring(String),
    #[error(
        "the OS keyring refused access ({0}). Unlock your keyring (Seahorse / Passwords and Keys), or set `token_store: file` under scrobbling.hardcover"
    )]
    Keyring(String),
    #[error("token file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Corrupt(#[from] CorruptTokens),
}

pub trait TokenStore: Send + Sync {
    fn get(&self) -> Result<Option<StoredTokens>, TokenStoreError>;
    fn save(&self, tokens: &StoredTokens) -> Result<(), TokenStoreError>;
    /// Deleting what is not there succeeds.
    fn delete(&self) -> Result<(), TokenStoreError>;
    /// For status displays: "OS keyring (hardcover-sync)", "file …/tokens.json".
    fn describe(&self) -> String;
}

/// The store the config asks for.
pub fn open_token_store(kind: TokenStoreKind, paths: &AppPaths) -> Result<Arc<dyn TokenStore>, TokenStoreError> {
    Ok(match kind {
        TokenStoreKind::Keyring => Arc::new(KeyringStore::new(KEYRING_SERVICE)?),
        TokenStoreKind::File => Arc::new(FileStore::new(paths.token_file())),
    })
}

pub async fn get(store: &Arc<dyn TokenStore>) -> Result<Option<StoredTokens>, TokenStoreError> {
    let s = Arc::clone(store);
    blocking(move || s.get()).await
}

pub async fn save(store: &Arc<dyn TokenStore>, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
    let (s, t) = (Arc::clone(store), tokens.clone());
    blocking(move || s.save(&t)).await
}

pub async fn delete(store: &Arc<dyn TokenStore>) -> Result<(), TokenStoreError> {
    let s = Arc::clone(store);
    blocking(move || s.delete()).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, TokenStoreError> + Send + 'static,
) -> Result<T, TokenStoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(TokenStoreError::Keyring(format!("token store task failed: {e}"))))
}

/// The desktop's Secret Service (Linux), via keyring v3.
pub struct KeyringStore {
    entry: keyring::Entry,
    service: String,
}

impl KeyringStore {
    /// `service` namespaces the entry; tests pass their own so they never touch the user's.
    pub fn new(service: &str) -> Result<Self, TokenStoreError> {
        let entry =
            keyring::Entry::new(service, KEYRING_USER).map_err(|e| TokenStoreError::NoKeyring(e.to_string()))?;
        // keyring v3 silently falls back to an in-memory mock when no platform backend was compiled
        // in: tokens would vanish at exit while the app claims they were saved. Refuse instead.
        if entry.get_credential().downcast_ref::<keyring::mock::MockCredential>().is_some() {
            return Err(TokenStoreError::NoKeyring("this build has no keyring backend for this platform".into()));
        }
        Ok(Self { entry, service: service.to_owned() })
    }

    /// Ask the Secret Service something harmless, to tell "no keyring here" apart early.
    pub fn check_reachable(&self) -> Result<(), TokenStoreError> {
        self.get().map(|_| ())
    }
}

fn keyring_error(e: keyring::Error) -> TokenStoreError {
    match e {
        keyring::Error::PlatformFailure(inner) => TokenStoreError::NoKeyring(inner.to_string()),
        other => TokenStoreError::Keyring(other.to_string()),
    }
}

impl TokenStore for KeyringStore {
    fn get(&self) -> Result<Option<StoredTokens>, TokenStoreError> {
        match self.entry.get_password() {
            Ok(json) => Ok(Some(StoredTokens::from_secret_json(Secret::new(json).expose())?)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        self.entry.set_password(tokens.to_secret_json().expose()).map_err(keyring_error)
    }

    fn delete(&self) -> Result<(), TokenStoreError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn describe(&self) -> String {
        format!("OS keyring (service {})", self.service)
    }
}

/// A JSON file readable only by the user (0600), for machines without a keyring.
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: std::io::Error) -> TokenStoreError {
        TokenStoreError::File { path: self.path.clone(), source }
    }
}

impl TokenStore for FileStore {
    fn get(&self) -> Result<Option<StoredTokens>, TokenStoreError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(StoredTokens::from_secret_json(Secret::new(text).expose())?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.err(e)),
        }
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.err(e))?;
        // Write a 0600 temp file and rename it over the old one: the file is never briefly
        // world-readable, and a crash mid-write cannot leave half a token set behind. The temp
        // name is unique, so two processes saving at once never write into the same file.
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.{:08x}.tmp", std::process::id(), rand::random::<u32>()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(|e| self.err(e))?;

        let written = f
            .write_all(tokens.to_secret_json().expose().as_bytes())
            .and_then(|()| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.err(e));
        }
        // The rename is durable only once the folder itself is on disk: a power cut right after
        // a refresh must not bring back the refresh token Hardcover has already rotated away.
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| self.err(e))
    }

    fn delete(&self) -> Result<(), TokenStoreError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.err(e)),
        }
    }

    fn describe(&self) -> String {
        format!("file {}", self.path.display())
    }
}

/// In memory, for tests. Keeps the serialized form so tests exercise the same encoding.
#[derive(Default)]
pub struct MemoryStore {
    json: Mutex<Option<Secret>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryStore {
    fn get(&self) -> Result<Option<StoredTokens>, TokenStoreError> {
        let json = self.json.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Ok(json.map(|j| StoredTokens::from_secret_json(j.expose())).transpose()?)
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        *self.json.lock().unwrap_or_else(|p| p.into_inner()) = Some(tokens.to_secret_json());
        Ok(())
    }

    fn delete(&self) -> Result<(), TokenStoreError> {
        *self.json.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    fn describe(&self) -> String {
        "memory (not persisted)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyrings_silent_in_memory_fallback_is_refused() {
        // What a build without a platform feature gets: the mock, which forgets on exit.
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let err = KeyringStore::new("hardcover-sync-unit-test")
            .err()
            .expect("the in-memory mock must not pass for a keyring");
        assert!(err.to_string().contains("token_store: file"), "the error must name the way out: {err}");
    }

    #[test]
    fn memory_store_missing_is_none_and_round_trips() {
        let s = MemoryStore::new();
        assert_eq!(s.get().unwrap(), None, "a missing entry must be Ok(None)");
        let t = StoredTokens::personal(Secret::new("hc_pat_x"));
        s.save(&t).unwrap();
        assert_eq!(s.get().unwrap(), Some(t));
        s.delete().unwrap();
        s.delete().expect("deleting twice must succeed");
        assert_eq!(s.get().unwrap(), None);
    }
}
