//! Everything one running Hardcover emulator shares between requests and with the test that
//! drives it.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;

use super::knobs::Knobs;
use super::limits::{Limiter, Limits};
use super::state::Db;
use super::stats::Stats;
use super::tokens::TokenRegistry;

#[derive(Clone)]
pub struct HardcoverState {
    db: Arc<Mutex<Db>>,
    tokens: TokenRegistry,
    limiter: Arc<Mutex<Limiter>>,
    knobs: Knobs,
    stats: Arc<Mutex<Stats>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test must not poison the emulator for the next assertion.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl HardcoverState {
    pub fn new(db: Db, tokens: TokenRegistry, limits: Limits) -> Self {
        Self {
            db: Arc::new(Mutex::new(db)),
            tokens,
            limiter: Arc::new(Mutex::new(Limiter::new(limits))),
            knobs: Knobs::default(),
            stats: Arc::new(Mutex::new(Stats::default())),
        }
    }

    /// The database, locked: inspect or change users' shelves, reads and lists directly.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        lock(&self.db)
    }

    pub fn tokens(&self) -> &TokenRegistry {
        &self.tokens
    }

    pub fn knobs(&self) -> &Knobs {
        &self.knobs
    }

    pub fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    pub fn reset_stats(&self) {
        *lock(&self.stats) = Stats::default();
    }

    pub(crate) fn with_stats(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut lock(&self.stats));
    }

    pub fn limiter(&self) -> MutexGuard<'_, Limiter> {
        lock(&self.limiter)
    }

    /// New limits, every user starting with a full budget.
    pub fn set_limits(&self, limits: Limits) {
        self.limiter().set_limits(limits);
    }

    /// The id of a user by name (ids are deterministic: the first user is 1001).
    pub fn user_id(&self, username: &str) -> Option<i64> {
        self.db().user_by_name(username).map(|u| u.id)
    }

    /// The day Hardcover stamps on the reads it creates itself.
    pub fn set_today(&self, today: NaiveDate) {
        self.db().today = today;
    }
}
