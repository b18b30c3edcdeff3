//! What every command needs: resolved paths, the loaded config, and (lazily) the assembled core.

use std::path::Path;
use std::sync::OnceLock;

use hardcover_sync::app::App;
use hardcover_sync::config::Config;
use hardcover_sync::paths::AppPaths;

pub struct Context {
    pub paths: AppPaths,
    pub config: Config,
    app: OnceLock<App>,
}

impl Context {
    pub fn load(config: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Self> {
        let paths = AppPaths::resolve(config, data_dir)?;
        let config = Config::load(&paths.config_file)?;
        Ok(Self { paths, config, app: OnceLock::new() })
    }

    /// The core (database, auth, client), opened on first use so commands that need none of it
    /// never create a database.
    pub fn app(&self) -> anyhow::Result<&App> {
        if let Some(app) = self.app.get() {
            return Ok(app);
        }
        let app = App::open(self.paths.clone(), self.config.clone())?;
        Ok(self.app.get_or_init(|| app))
    }
}
