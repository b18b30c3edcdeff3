//! The sync, wired: the configured sources, the Hardcover client behind the engine's port, the
//! day's request budget, and what follows a run (reconnect prompt, library cache refresh).

use std::sync::Arc;

use chrono::Utc;

use super::{App, AppError};
use crate::import::{import_library, last_import};
use crate::lock::FolderLock;
use crate::shelf::{ShelfError, UnmatchedItem, unmatched_items};
use crate::sources::ProgressSource;
use crate::store::history::HistoryEntry;
use crate::store::source_health::SourceHealth;
use crate::sync::client_port::{ClientPort, daily_reserve};
use crate::sync::matching::{self, DEFAULT_THRESHOLD};
use crate::sync::observe::{Observer, ignore};
use crate::sync::port::PortError;
use crate::sync::progress::Zone;
use crate::sync::report::{RunItem, RunSummary};
use crate::sync::run::{SourcePolicy, SyncOptions, SyncOutcome, Unavailable, sync_once_observed};
use crate::sync::summary::Summary;

/// What a sync does when another process is already syncing the same data folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenBusy {
    /// Wait for it to finish, then run (the tray and the window; `sync --wait`).
    Wait,
    /// Return [`AppError::SyncBusy`] at once (the CLI by default: cron must not pile up runs).
    Refuse,
}

impl App {
    /// One sync of every enabled source with Hardcover, in the configured direction. A dry run
    /// plans and reports, and changes nothing (no mutation, no write-back, no stored state
    /// besides the run's own record).
    pub async fn sync(&self, dry_run: bool) -> Result<SyncOutcome, AppError> {
        self.sync_observed(dry_run, &ignore).await
    }

    /// [`App::sync`], telling `observe` how far the run has got (the tray's "Syncing 12/40…").
    /// Waits while another process syncs this data folder.
    pub async fn sync_observed(&self, dry_run: bool, observe: Observer<'_>) -> Result<SyncOutcome, AppError> {
        self.sync_when(dry_run, WhenBusy::Wait, observe).await
    }

    /// One sync, holding the data folder's sync lock for the whole run (outbox recovery
    /// included), so two processes never send the same write. `when_busy` says what to do when
    /// another process holds it.
    pub async fn sync_when(
        &self,
        dry_run: bool,
        when_busy: WhenBusy,
        observe: Observer<'_>,
    ) -> Result<SyncOutcome, AppError> {
        let path = self.paths.sync_lock();
        let _lock = match when_busy {
            WhenBusy::Wait => FolderLock::acquire(&path).await?,
            WhenBusy::Refuse => FolderLock::try_acquire(&path)?.map_err(|h| AppError::SyncBusy { pid: h.pid })?,
        };
        self.sync_locked(dry_run, observe).await
    }

    async fn sync_locked(&self, dry_run: bool, observe: Observer<'_>) -> Result<SyncOutcome, AppError> {
        let user_id = self.user_id().await?;
        let (built, failed) = self.sources(None);
        let held = self.held_devices(dry_run)?;
        let sources: Vec<Arc<dyn ProgressSource>> =
            built.into_iter().filter(|s| !held.iter().any(|h| h.source() == s.name())).map(Arc::from).collect();
        let limits = self.client.limiter().snapshot();
        let port = ClientPort::new(&self.client, user_id);
        let policies = SourcePolicy::of(&self.config.sources);
        let unavailable: Vec<Unavailable> = failed
            .into_iter()
            .map(|f| Unavailable::Failed { source: f.source, message: f.message })
            .chain(held)
            .collect();
        let opts = SyncOptions {
            config: &self.config.scrobbling.hardcover.sync,
            zone: Zone::Local,
            now: Utc::now(),
            budget: limits.remaining_today.saturating_sub(daily_reserve(limits.daily_quota)),
            dry_run,
            match_threshold: DEFAULT_THRESHOLD,
            policies: &policies,
            unavailable: &unavailable,
        };
        let outcome = sync_once_observed(&port, &sources, &self.store, opts, observe).await?;
        self.count_device_books(&outcome.summary)?;
        if !dry_run {
            self.record_source_health(&outcome.summary)?;
        }
        if let Some(reason) = port.reconnect_reason() {
            self.auth.session().mark_reconnect_needed(reason);
        } else if outcome.stopped == Some(PortError::Unauthorized) {
            self.auth.session().mark_reconnect_needed("Hardcover rejected the token during a sync");
        }
        if !dry_run && outcome.stopped.is_none() && changed_hardcover(&outcome) {
            self.refresh_cache_after_sync(user_id).await;
        }
        Ok(outcome)
    }

    /// Keep what this run found of each configured source (read, or failing and why), so a
    /// failure stays shown until a later run reads the source again.
    fn record_source_health(&self, summary: &Summary) -> Result<(), AppError> {
        let now = Utc::now();
        let configured: Vec<&str> = self.config.sources.iter().map(|s| s.name.as_str()).collect();
        for cfg in self.config.sources.iter().filter(|s| s.enabled) {
            let failure = summary.source_failure(&cfg.name);
            if self.store.source_health_record(&cfg.name, failure.map_or(Ok(()), Err), now)? {
                tracing::warn!(source = %cfg.name, "the source started failing: {}", failure.unwrap_or_default());
            }
        }
        self.store.source_health_retain(&configured)?;
        Ok(())
    }

    /// The enabled sources' health as the last syncs found it, failing ones first. A source no
    /// sync has tried yet is not listed.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>, AppError> {
        let enabled: Vec<&str> = self.config.sources.iter().filter(|s| s.enabled).map(|s| s.name.as_str()).collect();
        let mut all = self.store.source_health_all()?;
        all.retain(|h| enabled.contains(&h.source.as_str()));
        Ok(all)
    }

    /// Only when the user keeps a local copy (they imported once) and this sync changed their
    /// shelf: an incremental import fetches just the rows changed since the last one.
    async fn refresh_cache_after_sync(&self, user_id: i64) {
        match last_import(&self.store) {
            Ok(Some(_)) => {
                if let Err(e) = import_library(&self.client, &self.store, user_id, Utc::now(), false).await {
                    // The sync itself succeeded; the shelf browser catches up on the next import.
                    tracing::warn!("refreshing the library copy after the sync failed: {e}");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot read the library copy's state: {e}"),
        }
    }

    /// The user's choice: this source item is this Hardcover book (and edition, used only when
    /// the book is not on their shelf yet). Never replaced by an automatic match.
    pub fn link(&self, source: &str, item_id: &str, book_id: i64, edition_id: Option<i64>) -> Result<(), AppError> {
        Ok(matching::link(&self.store, source, item_id, book_id, edition_id, Utc::now())?)
    }

    /// Undo a wrong match: the item is left out of syncs until linked again.
    pub fn unlink(&self, source: &str, item_id: &str) -> Result<(), AppError> {
        Ok(matching::unlink(&self.store, source, item_id, Utc::now())?)
    }

    /// Never sync this source item (`never` false: sync it again). The item's title is kept from
    /// its match, so the list of excluded items can name it.
    pub fn exclude(&self, source: &str, item_id: &str, never: bool) -> Result<(), AppError> {
        let title = self.store.match_get(source, item_id)?.and_then(|m| m.title);
        Ok(self.store.item_set_excluded(source, item_id, title.as_deref(), never, Utc::now())?)
    }

    /// Send this item's highlights to the reading journal (`send` false: its reading is synced,
    /// its highlights are not).
    pub fn send_highlights(&self, source: &str, item_id: &str, send: bool) -> Result<(), AppError> {
        Ok(self.store.item_set_no_highlights(source, item_id, !send, Utc::now())?)
    }

    /// Items the user excluded from syncs.
    pub fn excluded(&self) -> Result<Vec<crate::store::item_prefs::ExcludedItem>, AppError> {
        Ok(self.store.excluded_items()?)
    }

    /// A book's highlights as sent to the reading journal (the local copy).
    pub fn highlights_of_book(&self, book_id: i64) -> Result<Vec<crate::store::journal::HighlightView>, AppError> {
        Ok(self.store.highlights_of_book(book_id)?)
    }

    /// What the last syncs did, item by item, newest first.
    pub fn history(&self, limit: u32) -> Result<Vec<HistoryEntry>, AppError> {
        Ok(self.store.history_recent(limit)?)
    }

    /// The last `limit` runs, newest first.
    pub fn runs(&self, limit: u32) -> Result<Vec<RunSummary>, AppError> {
        Ok(self.store.runs_recent(limit)?.iter().map(RunSummary::of).collect())
    }

    /// One run of the history, if it is there.
    pub fn run(&self, run_id: i64) -> Result<Option<RunSummary>, AppError> {
        Ok(self.store.run_get(run_id)?.as_ref().map(RunSummary::of))
    }

    /// What one run did, item by item.
    pub fn run_items(&self, run_id: i64) -> Result<Vec<RunItem>, ShelfError> {
        let run = self.store.run_get(run_id)?;
        let run = run.ok_or_else(|| ShelfError::NotFound(format!("sync run {run_id} is not in the history")))?;
        Ok(RunItem::all_of(&run))
    }

    /// Source items no Hardcover book was found for, with candidates to pick from.
    pub fn unmatched(&self) -> Result<Vec<UnmatchedItem>, ShelfError> {
        unmatched_items(&self.store)
    }
}

fn changed_hardcover(outcome: &SyncOutcome) -> bool {
    let s = &outcome.summary;
    s.added + s.progress_updated + s.finished + s.rated > 0
}
