//! The assembled core: config, database, auth and the Hardcover client, wired once.
//!
//! The CLI and the desktop shell both drive this; neither wires core pieces by itself, so the
//! two cannot drift apart.

mod devices;
pub mod status;
mod sync;

pub use sync::WhenBusy;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::auth::{Account, AccountProbe, Auth, AuthError, Connection, ProbeError, source_secret};
use crate::config::Config;
use crate::export::{self, ExportError, ExportFormat, STATUSES};
use crate::hardcover::{HardcoverClient, HardcoverError, RateLimiter, SharedLimits, StaticToken, UserBookChanges};
use crate::import::{ImportError, ImportReport, import_library, last_import};
use crate::paths::AppPaths;
use crate::secret::Secret;
use crate::sources::{self, ProgressReport, ProgressSource, SourceFailure};
use crate::store::library::Selection;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Hardcover(#[from] HardcoverError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("not connected to Hardcover: run `hardcover-sync connect` (or Connect Hardcover… in the tray)")]
    NotConnected,
    /// Another process (the tray, the window, a CLI run) is syncing this data folder.
    #[error("another sync is running{}: wait for it to finish (`hardcover-sync sync --wait` waits for it)", pid_note(*.pid))]
    SyncBusy { pid: Option<u32> },
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
}

fn pid_note(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

pub struct App {
    pub paths: AppPaths,
    pub config: Config,
    store: Arc<Store>,
    auth: Auth,
    client: HardcoverClient,
}

impl App {
    pub fn open(paths: AppPaths, config: Config) -> Result<Self, AppError> {
        let store = Arc::new(Store::open(&paths.database())?);
        Self::with_store(paths, config, store)
    }

    /// [`App::open`] on a database the caller already opened: the desktop shell keeps one
    /// connection for its whole life, across config changes (each builds a new `App`) and while
    /// no `App` can be built at all.
    pub fn with_store(paths: AppPaths, config: Config, store: Arc<Store>) -> Result<Self, AppError> {
        let hc = &config.scrobbling.hardcover;
        let auth = Auth::from_config(hc, &paths)?.with_meta(Arc::clone(&store));
        // Limits are per Hardcover user: every process of this data folder paces from one state.
        let limiter = RateLimiter::default().with_shared(Arc::clone(&store) as Arc<dyn SharedLimits>);
        let client = HardcoverClient::new(hc.api_url.clone(), auth.session())?.with_limiter(Arc::new(limiter));
        Ok(Self { paths, config, store, auth, client })
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    pub fn client(&self) -> &HardcoverClient {
        &self.client
    }

    /// Answers auth's "who is this token, may it write" with the real API.
    pub fn probe(&self) -> HardcoverProbe {
        HardcoverProbe { api_url: self.config.scrobbling.hardcover.api_url.clone() }
    }

    pub async fn connection(&self) -> Connection {
        self.auth.connection().await
    }

    pub async fn connect_token(&self, raw: &str) -> Result<Account, AppError> {
        Ok(self.auth.connect_token(raw, &self.probe()).await?)
    }

    /// The connected user's id: cached at connect time, else asked of Hardcover.
    pub async fn user_id(&self) -> Result<i64, AppError> {
        let c = self.connection().await;
        if !c.connected {
            return Err(AppError::NotConnected);
        }
        match c.user_id {
            Some(id) => Ok(id),
            None => Ok(self.client.me().await?.id),
        }
    }

    /// Bring the local library cache up to date (incremental unless `full`).
    pub async fn refresh_library(&self, full: bool) -> Result<ImportReport, AppError> {
        let user_id = self.user_id().await?;
        Ok(import_library(&self.client, &self.store, user_id, Utc::now(), full).await?)
    }

    /// The enabled reading servers, built from the config (secrets from the config, else the
    /// keyring). A source that cannot be built is reported as a failure, not dropped silently.
    pub fn sources(&self, only: Option<&str>) -> (Vec<Box<dyn ProgressSource>>, Vec<SourceFailure>) {
        let mut built = Vec::new();
        let mut failed = Vec::new();
        let kind = self.config.scrobbling.hardcover.token_store;
        for cfg in self.config.sources.iter().filter(|s| s.enabled && only.is_none_or(|n| n == s.name)) {
            let secret = if cfg.api_key.is_some() || cfg.password.is_some() {
                None
            } else {
                match source_secret(kind, &self.paths.source_secrets_file(), &cfg.name) {
                    Ok(s) => s,
                    Err(e) => {
                        failed.push(SourceFailure { source: cfg.name.clone(), message: e.to_string() });
                        continue;
                    }
                }
            };
            match sources::build(cfg, secret, Arc::clone(&self.store)) {
                Ok(s) => built.push(s),
                Err(e) => failed.push(SourceFailure { source: cfg.name.clone(), message: e.to_string() }),
            }
        }
        (built, failed)
    }

    /// Progress from every enabled source (or just `only`), failures reported per source.
    pub async fn progress(&self, only: Option<&str>) -> ProgressReport {
        let (built, failed) = self.sources(only);
        let mut report = sources::collect(&built).await;
        report.errors.splice(0..0, failed);
        report
    }

    /// Statuses and lists with their counts, brought up to date first when connected (an
    /// incremental import: cheap). When Hardcover cannot be reached the local copy is shown as it
    /// is, marked `offline`, rather than nothing.
    pub async fn shelves_fresh(&self) -> Result<Shelves, AppError> {
        self.shelves_refreshed().await.map(|(shelves, _)| shelves)
    }

    /// [`App::shelves_fresh`], also saying whether the refresh changed the local copy (or found
    /// Hardcover unreachable): a window that showed the local copy first redraws only then.
    pub async fn shelves_refreshed(&self) -> Result<(Shelves, bool), AppError> {
        let (mut offline, mut changed) = (false, false);
        if self.connection().await.connected {
            match self.refresh_library(false).await {
                Ok(report) => changed = report.changed_anything(),
                Err(AppError::Import(ImportError::Hardcover(e)) | AppError::Hardcover(e)) if e.is_transient() => {
                    tracing::warn!("showing the local copy of the library: {e}");
                    (offline, changed) = (true, true);
                }
                Err(e) => return Err(e),
            }
        }
        let mut shelves = self.shelves()?;
        shelves.offline = offline;
        Ok((shelves, changed))
    }

    /// Write the selected books as CSV or JSON into `out`; `progress(done, total)` per row.
    pub fn export(
        &self,
        selection: &Selection,
        format: ExportFormat,
        out: &mut dyn std::io::Write,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize, ExportError> {
        export::export(&self.store, selection, format, out, progress)
    }

    /// Statuses and lists with their counts, from the local cache.
    pub fn shelves(&self) -> Result<Shelves, AppError> {
        let counts = self.store.status_counts()?;
        let statuses = STATUSES
            .iter()
            .map(|(id, name, slug)| Shelf {
                kind: ShelfKind::Status,
                id: *id,
                name: (*name).to_owned(),
                slug: Some((*slug).to_owned()),
                count: counts[(*id - 1) as usize],
            })
            .collect();
        let lists = self
            .store
            .lists()?
            .into_iter()
            .map(|l| Shelf { kind: ShelfKind::List, id: l.id, name: l.name, slug: l.slug, count: l.books_count })
            .collect();
        Ok(Shelves { statuses, lists, updated_at: last_import(&self.store)?, offline: false })
    }
}

/// A shelf is a reading status or one of the user's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ShelfKind {
    Status,
    List,
}

/// One shelf and how many books it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ShelfCount"))]
#[serde(rename_all = "camelCase")]
pub struct Shelf {
    pub kind: ShelfKind,
    pub id: i64,
    pub name: String,
    pub slug: Option<String>,
    pub count: i64,
}

/// The shelf browser's sidebar (and `shelves --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Shelves {
    pub statuses: Vec<Shelf>,
    pub lists: Vec<Shelf>,
    /// When the cache was last brought up to date (RFC 3339), if ever.
    pub updated_at: Option<String>,
    /// True when Hardcover could not be reached and the cache was shown as it was.
    pub offline: bool,
}

/// [`AccountProbe`] over the GraphQL API, with a throwaway client for the token being checked.
pub struct HardcoverProbe {
    api_url: url::Url,
}

impl HardcoverProbe {
    fn client(&self, token: &Secret) -> Result<HardcoverClient, ProbeError> {
        HardcoverClient::new(self.api_url.clone(), Arc::new(StaticToken::new(token.expose())))
            .map_err(|e| ProbeError::Other(e.to_string()))
    }
}

fn probe_error(e: HardcoverError) -> ProbeError {
    match e {
        HardcoverError::Unauthorized | HardcoverError::Token(_) => ProbeError::Unauthorized,
        other => ProbeError::Other(other.to_string()),
    }
}

#[async_trait]
impl AccountProbe for HardcoverProbe {
    async fn me(&self, token: &Secret) -> Result<Account, ProbeError> {
        let me = self.client(token)?.me().await.map_err(probe_error)?;
        Ok(Account { user_id: me.id, username: me.username.unwrap_or_else(|| format!("user {}", me.id)) })
    }

    /// A write that changes nothing: updating user_book 0 (which no one has) with no fields.
    /// Without `write:library` Hardcover answers `insufficient_scope`; with it, a harmless
    /// "not found" mutation error.
    async fn can_write(&self, token: &Secret) -> Result<bool, ProbeError> {
        match self.client(token)?.update_user_book(0, UserBookChanges::default()).await {
            Ok(_) | Err(HardcoverError::Mutation { .. }) | Err(HardcoverError::GraphQl { .. }) => Ok(true),
            Err(HardcoverError::InsufficientScope { .. }) => Ok(false),
            Err(e) => Err(probe_error(e)),
        }
    }
}
