//! Hardcover's rate-limit state, shared by every process of this data folder and kept across
//! restarts: a run started right after another (or after a kill) knows the burst is spent.

use super::Store;
use crate::hardcover::{SavedLimits, SharedLimits};

const KEY: &str = "hardcover.rate_limits";

impl SharedLimits for Store {
    fn load(&self) -> Option<SavedLimits> {
        // Unreadable state (an older format, a hand edit) only means starting from the plan's
        // defaults, as on a first run.
        self.meta_get(KEY).ok().flatten().and_then(|json| serde_json::from_str(&json).ok())
    }

    fn save(&self, saved: &SavedLimits) {
        let json = serde_json::to_string(saved).expect("plain numbers always serialize");
        if let Err(e) = self.meta_set(KEY, &json) {
            tracing::warn!("cannot keep Hardcover's rate-limit state in the database: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::hardcover::{RateLimiter, SharedLimits};
    use crate::store::Store;

    #[tokio::test]
    async fn a_new_limiter_starts_with_the_burst_the_last_one_spent() {
        let store = Arc::new(Store::open_in_memory().unwrap());
        let first = RateLimiter::default().with_shared(Arc::clone(&store) as Arc<dyn SharedLimits>);
        for _ in 0..10 {
            first.acquire(1).await.unwrap();
        }
        drop(first);
        let next = RateLimiter::default().with_shared(Arc::clone(&store) as Arc<dyn SharedLimits>);
        let available = next.snapshot().available_now;
        assert!(available <= 1, "a restarted process must not get a fresh burst of 10 (has {available})");
    }
}
