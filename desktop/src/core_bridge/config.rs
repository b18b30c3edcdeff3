//! Configuration: the config file as loaded, the one database connection, the `App` built on both.

use super::*;

impl Core {
    pub fn config(&self) -> Config {
        self.config.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn config_error(&self) -> Option<String> {
        self.config_error.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn store(&self) -> IpcResult<&Arc<Store>> {
        self.store.as_ref().map_err(|why| IpcError::internal(why.clone()))
    }

    /// The assembled core. Cheap (an `Arc`); a command holds it for its whole call, so a config
    /// saved meanwhile takes effect on the next command rather than halfway through this one.
    pub fn app(&self) -> IpcResult<Arc<App>> {
        self.app.read().unwrap_or_else(|p| p.into_inner()).clone().map_err(IpcError::internal)
    }

    /// Read the config file and the sign-in again: the other process (see `link`) changed them.
    /// A config that cannot be read now is reported like one at start; the old one stays in use.
    pub async fn reload(&self) {
        match Config::load(&self.paths.config_file) {
            Ok(config) => self.replace_config(config),
            Err(e) => {
                tracing::error!("{e}");
                *self.config_error.write().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                // The sign-in is read by a new App too: the old one caches the tokens it had.
                *self.app.write().unwrap_or_else(|p| p.into_inner()) =
                    build_app(&self.paths, &self.config(), &self.store);
            }
        }
        self.refresh_connection().await;
    }

    /// Adopt a config that was just saved (the scheduler picks up a new interval from here).
    pub fn replace_config(&self, config: Config) {
        if let Some((h, rt)) = self.scheduler_on_runtime() {
            let interval = config.scrobbling.hardcover.sync.interval;
            rt.spawn(async move { h.set_interval(interval).await });
        }
        let app = build_app(&self.paths, &config, &self.store);
        // A source removed or disabled in the new config is no longer shown as failing.
        self.sync.lock().unwrap_or_else(|p| p.into_inner()).sources = super::source_statuses(&app);
        *self.app.write().unwrap_or_else(|p| p.into_inner()) = app;
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = config;
        *self.config_error.write().unwrap_or_else(|p| p.into_inner()) = None;
        (self.events)(CoreEvent::StatusChanged);
    }

    /// The configured interval, for the scheduler.
    pub fn interval(&self) -> std::time::Duration {
        self.config.read().unwrap_or_else(|p| p.into_inner()).scrobbling.hardcover.sync.interval
    }
}
