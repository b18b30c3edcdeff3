//! Sync bookkeeping: the run in progress and its progress events, failures in a row, pause, the
//! periodic scheduler, and (in the window process) the tray's sync as last reported.

use super::*;

/// The engine reports every item; the tray and the window need a few updates a second at most
/// (each one redraws the menu and crosses into the web view).
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

#[derive(Debug, Default)]
pub(super) struct SyncRuntime {
    pub(super) paused: bool,
    pub(super) running: Option<SyncProgress>,
    /// When the last `SyncProgress` event went out: they are spaced (see [`PROGRESS_EVERY`]).
    pub(super) progress_sent: Option<std::time::Instant>,
    pub(super) last_summary: Option<RunSummary>,
    pub(super) last_error: Option<String>,
    pub(super) consecutive_failures: u32,
    /// Each source's health as the store last said (read at start and after every run).
    pub(super) sources: Vec<SourceStatus>,
}

impl Core {
    /// In the window process: the tray's sync state, which `status()` shows from now on.
    pub fn adopt_tray_sync(&self, sync: SyncStatus) {
        *self.tray_sync.write().unwrap_or_else(|p| p.into_inner()) = Some(sync);
        (self.events)(CoreEvent::StatusChanged);
    }

    /// In the window process: a progress report of the tray's running sync.
    pub fn adopt_tray_progress(&self, progress: SyncProgress) {
        if let Some(sync) = self.tray_sync.write().unwrap_or_else(|p| p.into_inner()).as_mut() {
            sync.state = SyncState::Syncing;
            sync.progress = Some(progress);
        }
        (self.events)(CoreEvent::SyncProgress(progress));
    }

    pub fn sync_status(&self) -> SyncStatus {
        if let Some(tray) = self.tray_sync.read().unwrap_or_else(|p| p.into_inner()).clone() {
            return tray;
        }
        let s = self.sync.lock().unwrap_or_else(|p| p.into_inner());
        let state = if s.running.is_some() {
            SyncState::Syncing
        } else if s.paused {
            SyncState::Paused
        } else if s.last_error.is_some() {
            SyncState::Error
        } else {
            SyncState::Idle
        };
        SyncStatus {
            state,
            last_run_at: s.last_summary.as_ref().and_then(|r| r.finished_at.clone()),
            last_summary: s.last_summary.clone(),
            progress: s.running,
            next_run_at: self.next_run_at(),
            sources: s.sources.clone(),
        }
    }

    /// When the scheduler will run next (wall clock, RFC 3339), if it is waiting for a run.
    pub(super) fn next_run_at(&self) -> Option<String> {
        let h = self.scheduler()?;
        let wait = h.status().borrow().next_run_in()?;
        let at = chrono::Utc::now() + chrono::Duration::from_std(wait).ok()?;
        Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    /// The message of the last failed run, while the failure is current.
    pub fn last_error(&self) -> Option<String> {
        self.sync.lock().unwrap_or_else(|p| p.into_inner()).last_error.clone()
    }

    pub fn set_paused(&self, paused: bool) -> SyncStatus {
        self.sync.lock().unwrap_or_else(|p| p.into_inner()).paused = paused;
        tracing::info!(paused, "sync pause changed");
        if let Some((h, rt)) = self.scheduler_on_runtime() {
            // The scheduler stops or restarts its timer; a run already going finishes.
            rt.spawn(async move { if paused { h.pause().await } else { h.resume().await } });
        }
        (self.events)(CoreEvent::StatusChanged);
        self.sync_status()
    }

    /// Adopt the periodic scheduler the shell started (its job calls [`Core::scheduled_run`]).
    /// Called on the runtime the scheduler runs on: commands to it are sent from there, since
    /// the tray calls `set_paused` from the UI thread, outside any runtime.
    pub fn attach_scheduler(&self, handle: SchedulerHandle<()>) {
        let rt = tokio::runtime::Handle::current();
        *self.scheduler.lock().unwrap_or_else(|p| p.into_inner()) = Some((handle, rt));
        (self.events)(CoreEvent::StatusChanged);
    }

    pub(super) fn scheduler_on_runtime(&self) -> Option<(SchedulerHandle<()>, tokio::runtime::Handle)> {
        self.scheduler.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(super) fn scheduler(&self) -> Option<SchedulerHandle<()>> {
        self.scheduler_on_runtime().map(|(h, _)| h)
    }

    /// One scheduled run. Not being connected is not a failure to count or notify about: the
    /// scheduler just tries again at the next interval. Offline and rate limits go back to the
    /// scheduler so it backs off.
    pub async fn scheduled_run(&self) -> JobOutcome<()> {
        self.refresh_connection().await;
        if !self.status().connected {
            tracing::debug!("scheduled sync skipped: not connected to Hardcover");
            return JobOutcome::Failed("not connected to Hardcover".into());
        }
        match self.sync_now().await {
            Ok(_) => JobOutcome::Done(()),
            Err(e) => match e.code {
                ErrorCode::Busy => JobOutcome::Done(()),
                ErrorCode::Offline => JobOutcome::Offline(e.message),
                ErrorCode::RateLimited => JobOutcome::RateLimited { retry_after: None },
                _ => JobOutcome::Failed(e.message),
            },
        }
    }

    /// Run one sync now, through the same bookkeeping and events the scheduler's runs take. A run
    /// Hardcover stopped (offline, rate limited, token rejected) counts as a failure: what it did
    /// before stopping is in the history.
    pub async fn sync_now(&self) -> IpcResult<RunSummary> {
        {
            let mut s = self.sync.lock().unwrap_or_else(|p| p.into_inner());
            if s.running.is_some() {
                return Err(IpcError::new(crate::error::ErrorCode::Busy, "a sync is already running"));
            }
            s.running = Some(SyncProgress { phase: SyncPhase::Listing, done: 0, total: 0 });
            s.progress_sent = None;
        }
        let _running = RunningFlag(&self.sync);
        (self.events)(CoreEvent::StatusChanged);
        tracing::info!("sync requested");
        let result = self.run_sync().await;
        self.update_sources();
        // A rejected token marks the session for reconnecting: show it at once.
        self.refresh_connection().await;
        match result {
            Ok((summary, finished_titles)) => {
                self.record_success(summary.clone(), finished_titles);
                Ok(summary)
            }
            Err(e) => {
                self.record_failure(&e.message);
                Err(e)
            }
        }
    }

    pub(super) async fn run_sync(&self) -> IpcResult<(RunSummary, Vec<String>)> {
        let app = self.app()?;
        let outcome = app.sync_observed(false, &|p| self.on_progress(p)).await?;
        if let Some(stopped) = outcome.stopped {
            return Err(stopped.into());
        }
        let run = app
            .run(outcome.run_id)?
            .ok_or_else(|| IpcError::internal(format!("sync run {} vanished from the history", outcome.run_id)))?;
        Ok((run, finished_titles(&outcome.summary)))
    }

    /// Keep the running sync's progress for `status()`, and pass it on when the phase changes,
    /// when a phase completes, or when the last event is [`PROGRESS_EVERY`] old.
    pub(super) fn on_progress(&self, p: SyncProgress) {
        let send = {
            let mut s = self.sync.lock().unwrap_or_else(|p| p.into_inner());
            let Some(prev) = s.running.replace(p) else {
                // The run was already recorded as over; a late report must not revive it.
                s.running = None;
                return;
            };
            let now = std::time::Instant::now();
            let due = s.progress_sent.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY);
            let send = due || prev.phase != p.phase || p.done == p.total;
            if send {
                s.progress_sent = Some(now);
            }
            send
        };
        if send {
            (self.events)(CoreEvent::SyncProgress(p));
        }
    }

    /// Read the sources' health the run just stored, and announce each source that started
    /// failing in it.
    fn update_sources(&self) {
        let fresh = super::source_statuses(&self.app.read().unwrap_or_else(|p| p.into_inner()));
        let before = std::mem::replace(&mut self.sync.lock().unwrap_or_else(|p| p.into_inner()).sources, fresh.clone());
        let was_failing = |name: &str| before.iter().any(|b| b.name == name && b.failing_since.is_some());
        for s in fresh.into_iter().filter(|s| s.failing_since.is_some() && !was_failing(&s.name)) {
            let message = s.message.unwrap_or_default();
            tracing::warn!(source = %s.name, "source started failing: {message}");
            (self.events)(CoreEvent::SourceStartedFailing { source: s.name, message });
        }
    }

    pub(super) fn record_failure(&self, message: &str) {
        let consecutive = {
            let mut s = self.sync.lock().unwrap_or_else(|p| p.into_inner());
            s.running = None;
            s.last_error = Some(message.to_owned());
            s.consecutive_failures += 1;
            s.consecutive_failures
        };
        tracing::warn!(consecutive, "sync failed: {message}");
        (self.events)(CoreEvent::SyncFailed { message: message.to_owned(), consecutive });
        (self.events)(CoreEvent::StatusChanged);
    }

    /// For the scheduler (and tests): a run finished successfully.
    pub fn record_success(&self, summary: RunSummary, finished_titles: Vec<String>) {
        {
            let mut s = self.sync.lock().unwrap_or_else(|p| p.into_inner());
            s.running = None;
            s.last_error = None;
            s.consecutive_failures = 0;
            s.last_summary = Some(summary.clone());
        }
        (self.events)(CoreEvent::SyncFinished { summary, finished_titles });
        (self.events)(CoreEvent::StatusChanged);
    }
}

/// Clears the "running" flag however a run ends, a panic included: a flag left set would make
/// every later run (the scheduler's too) refuse to start, as if one were still going.
struct RunningFlag<'a>(&'a Mutex<SyncRuntime>);

impl Drop for RunningFlag<'_> {
    fn drop(&mut self) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if s.running.take().is_some() && std::thread::panicking() {
            s.last_error = Some("the sync stopped unexpectedly; the next one starts as usual".into());
        }
    }
}
