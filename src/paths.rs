//! Every path the app uses, in one place, with overrides for tests and headless use.
//!
//! Defaults follow XDG (via `directories`): config in `~/.config/hardcover-sync`, data in
//! `~/.local/share/hardcover-sync`, cache in `~/.cache/hardcover-sync`, logs under the state dir.
//! `--data-dir` moves data, cache and logs together so one folder isolates a whole instance
//! (demo mode and tests rely on that).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub log_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot find a home directory to keep settings in: pass --config and --data-dir")]
pub struct NoHomeDir;

impl AppPaths {
    /// Resolve the paths, honouring `--config` and `--data-dir` when given.
    pub fn resolve(config: Option<&Path>, data_dir: Option<&Path>) -> Result<Self, NoHomeDir> {
        let dirs = directories::ProjectDirs::from("", "", "hardcover-sync");
        let config_file = match (config, &dirs) {
            (Some(c), _) => c.to_path_buf(),
            (None, Some(d)) => d.config_dir().join("config.yaml"),
            (None, None) => return Err(NoHomeDir),
        };
        if let Some(data) = data_dir {
            return Ok(Self::under(config_file, data));
        }
        let d = dirs.ok_or(NoHomeDir)?;
        let log_dir = d.state_dir().unwrap_or(d.data_local_dir()).join("logs");
        Ok(Self {
            config_file,
            data_dir: d.data_local_dir().to_path_buf(),
            cache_dir: d.cache_dir().to_path_buf(),
            log_dir,
        })
    }

    /// Everything but the config file under one folder.
    pub fn under(config_file: PathBuf, data_dir: &Path) -> Self {
        Self {
            config_file,
            data_dir: data_dir.to_path_buf(),
            cache_dir: data_dir.join("cache"),
            log_dir: data_dir.join("logs"),
        }
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("hardcover-sync.sqlite3")
    }

    /// The file token store (only used when the user chose `token_store: file`).
    pub fn token_file(&self) -> PathBuf {
        self.data_dir.join("tokens.json")
    }

    /// Held for a whole sync, by whichever process runs it ([`crate::lock`]).
    pub fn sync_lock(&self) -> PathBuf {
        self.data_dir.join("sync.lock")
    }

    /// Held around read-store → refresh → save of the Hardcover sign-in ([`crate::lock`]).
    pub fn token_lock(&self) -> PathBuf {
        self.data_dir.join("token-refresh.lock")
    }

    pub fn covers_dir(&self) -> PathBuf {
        self.cache_dir.join("covers")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_override_moves_data_cache_and_logs() {
        let p = AppPaths::resolve(Some(Path::new("/x/c.yaml")), Some(Path::new("/d"))).unwrap();
        assert_eq!(p.config_file, PathBuf::from("/x/c.yaml"));
        assert!(p.database().starts_with("/d"), "the database must live under --data-dir");
        assert!(p.cache_dir.starts_with("/d"), "the cache must live under --data-dir");
        assert!(p.log_dir.starts_with("/d"), "logs must live under --data-dir");
    }
}
