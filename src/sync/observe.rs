//! How far a sync has got, for whoever shows it (the tray's "Syncing 12/40…", the window's
//! progress bar). The engine reports every step; slowing the reports down for a display is the
//! display's business.

use serde::{Deserialize, Serialize};

/// The stretch of the run `done`/`total` count in. Within one phase `done` only grows, up to
/// `total`; the next phase starts again from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Listing the reading servers: counts sources.
    Listing,
    /// Finding each item's Hardcover book: counts items.
    Matching,
    /// Sending the plan to Hardcover (or, in a dry run, planning it): counts items.
    Updating,
}

/// Payload of the window's `sync-progress` event (and the running sync's `SyncStatus.progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u32,
    pub total: u32,
}

impl SyncProgress {
    pub fn new(phase: SyncPhase, done: usize, total: usize) -> Self {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self { phase, done: n(done), total: n(total) }
    }
}

/// Told of every step of a run. `Sync` so a run holding it can move between threads.
pub type Observer<'a> = &'a (dyn Fn(SyncProgress) + Send + Sync);

/// For callers that do not watch.
pub fn ignore(_: SyncProgress) {}
