//! What every command needs: resolved paths, the loaded config, and (lazily) the database.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context as _;

use crate::config::Config;
use crate::paths::AppPaths;
use crate::store::Store;

pub struct Context {
    pub paths: AppPaths,
    pub config: Config,
    store: OnceLock<Arc<Store>>,
}

impl Context {
    pub fn load(config: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Self> {
        let paths = AppPaths::resolve(config, data_dir)?;
        let config = Config::load(&paths.config_file)?;
        Ok(Self { paths, config, store: OnceLock::new() })
    }

    /// The database, opened on first use so commands that don't need it never create it.
    pub fn store(&self) -> anyhow::Result<Arc<Store>> {
        if let Some(s) = self.store.get() {
            return Ok(s.clone());
        }
        let store = Arc::new(Store::open(&self.paths.database()).context("opening the local database")?);
        Ok(self.store.get_or_init(|| store).clone())
    }
}
