//! The seam between the shell and the core library.
//!
//! `Core` owns what the app runs on: config, store, the assembled core
//! (`hardcover_sync::app::App`: auth, Hardcover client, store; rebuilt when the config changes,
//! reached through [`Core::app`]), the connection state the status shows, the sync bookkeeping
//! and the periodic scheduler's handle. The shell starts the scheduler
//! (`hardcover_sync::sync::scheduler`) and hands it to [`Core::attach_scheduler`]; its job is
//! [`Core::scheduled_run`].
//!
//! `Core` knows nothing about Tauri: it reports through the `CoreEvent` sink the shell passes in.
//! Its three jobs each have a file: `config` (the config, the database, the `App`), `sign_in`
//! (connecting, disconnecting, the connection state) and `sync` (the runs, their progress and
//! failures, pause, the scheduler).

use std::sync::{Arc, Mutex, RwLock};

use hardcover_sync::app::App;
use hardcover_sync::auth::{BrowserOptions, Connection, Opener};
use hardcover_sync::config::Config;
use hardcover_sync::paths::AppPaths;
use hardcover_sync::store::Store;
use hardcover_sync::sync::scheduler::{JobOutcome, SchedulerHandle};
use tokio_util::sync::CancellationToken;

use hardcover_sync::app::status::{AppStatus, SourceStatus, SyncState, SyncStatus};
use hardcover_sync::sync::observe::{SyncPhase, SyncProgress};
use hardcover_sync::sync::report::{RunSummary, finished_titles};

use crate::error::{ErrorCode, IpcError, IpcResult};

mod config;
mod sign_in;
mod sync;

pub use sync::PROGRESS_EVERY;
use sync::SyncRuntime;

/// What the core tells the shell. The shell turns these into tray updates, window events and
/// notifications.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    StatusChanged,
    SyncProgress(SyncProgress),
    /// A run finished; `finished_titles` are the books it marked Read on Hardcover.
    SyncFinished {
        summary: RunSummary,
        finished_titles: Vec<String>,
    },
    /// A run failed; `consecutive` counts failures since the last success.
    SyncFailed {
        message: String,
        consecutive: u32,
    },
    ReconnectNeeded {
        reason: String,
    },
    /// A reading server that worked (or was never tried) failed in this run: said once, not on
    /// every run while it stays failing.
    SourceStartedFailing {
        source: String,
        message: String,
    },
}

pub type EventSink = Arc<dyn Fn(CoreEvent) + Send + Sync>;

pub struct Core {
    paths: AppPaths,
    demo: bool,
    config: RwLock<Config>,
    /// Why the config file could not be used, if it could not (the app then runs on defaults and
    /// says so instead of refusing to start).
    config_error: RwLock<Option<String>>,
    /// The one connection to the database, shared with every `App` built on it. Opened here
    /// rather than by `App` because the store must outlive a config that cannot be used, and
    /// each saved config builds a new `App`: a second connection per config would be waste.
    store: Result<Arc<Store>, String>,
    sync: Mutex<SyncRuntime>,
    events: EventSink,
    /// The assembled core, or why it could not be built (shown on every command that needs it).
    app: RwLock<Result<Arc<App>, String>>,
    /// Cancels the browser sign-in in progress, if any.
    connecting: Mutex<Option<CancellationToken>>,
    /// The periodic sync, once the shell started it.
    scheduler: Mutex<Option<(SchedulerHandle<()>, tokio::runtime::Handle)>>,
    /// The last connection state read from auth: `status()` is synchronous (the tray calls it),
    /// auth's is not, so commands that change it refresh this copy.
    connection: RwLock<Option<Connection>>,
    /// In the window process: the sync as the tray process last reported it (the tray runs the
    /// syncs, see `link`). `None` in the tray, whose own bookkeeping is `sync`.
    tray_sync: RwLock<Option<SyncStatus>>,
}

/// The sources' health for the status; a store that cannot be read shows none (and says why in
/// the log) rather than stopping the app.
fn source_statuses(app: &Result<Arc<App>, String>) -> Vec<SourceStatus> {
    match app.as_ref().map(|app| app.source_health()) {
        Ok(Ok(all)) => all.into_iter().map(SourceStatus::from).collect(),
        Ok(Err(e)) => {
            tracing::warn!("cannot read the sources' health: {e}");
            Vec::new()
        }
        Err(_) => Vec::new(),
    }
}

fn build_app(paths: &AppPaths, config: &Config, store: &Result<Arc<Store>, String>) -> Result<Arc<App>, String> {
    let app = match store {
        Ok(store) => App::with_store(paths.clone(), config.clone(), Arc::clone(store)),
        Err(why) => return Err(why.clone()),
    };
    app.map(Arc::new).map_err(|e| {
        tracing::error!("{e}");
        e.to_string()
    })
}

impl Core {
    /// Load config and open the store. Never fails: problems are kept and reported in the UI, so a
    /// broken config file still leaves a tray icon that can open Settings and the logs.
    pub fn open(paths: AppPaths, demo: bool, events: EventSink) -> Self {
        let (config, config_error) = match Config::load(&paths.config_file) {
            Ok(c) => (c, None),
            Err(e) => {
                tracing::error!("{e}");
                (Config::default(), Some(e.to_string()))
            }
        };
        let store = Store::open(&paths.database()).map(Arc::new).map_err(|e| {
            tracing::error!("{e}");
            e.to_string()
        });
        let app = build_app(&paths, &config, &store);
        let sync = SyncRuntime { sources: source_statuses(&app), ..SyncRuntime::default() };
        Self {
            app: RwLock::new(app),
            connection: RwLock::new(None),
            tray_sync: RwLock::new(None),
            scheduler: Mutex::new(None),
            connecting: Mutex::new(None),
            paths,
            demo,
            config: RwLock::new(config),
            config_error: RwLock::new(config_error),
            store,
            sync: Mutex::new(sync),
            events,
        }
    }

    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    pub fn status(&self) -> AppStatus {
        let config = self.config.read().unwrap_or_else(|p| p.into_inner());
        let conn = self.connection.read().unwrap_or_else(|p| p.into_inner()).clone();
        let conn = conn.as_ref();
        // Auth also reports an unreadable token store (no keyring in this session) as a reason to
        // reconnect; with no connection there is nothing to reconnect: the user sees "Not
        // connected", and connecting names the store's problem.
        let reconnect_reason = conn.filter(|c| c.connected).and_then(|c| c.reconnect_needed.clone());
        AppStatus {
            connected: conn.is_some_and(|c| c.connected),
            username: conn.and_then(|c| c.username.clone()),
            user_id: conn.and_then(|c| c.user_id),
            token_store: config.scrobbling.hardcover.token_store,
            reconnect_needed: reconnect_reason.is_some(),
            reconnect_reason,
            sync: self.sync_status(),
            offline: false,
            demo: self.demo,
        }
    }
}

#[cfg(test)]
mod tests;
