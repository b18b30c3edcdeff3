//! What a run may spend of the user's daily Hardcover quota, and what it has spent: one count
//! for every request of the run (recovery, matching, the shelf, the writes), so the deferral
//! rule and the run's summary never disagree about it.

/// Requests a run may still send, and requests it has sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    left: u32,
    spent: u32,
}

impl Budget {
    /// A run allowed `left` requests (what is left of the day's quota, minus a reserve for the
    /// user's other tools).
    pub fn new(left: u32) -> Self {
        Self { left, spent: 0 }
    }

    /// Count `requests` just sent (or about to be).
    pub fn spend(&mut self, requests: u32) {
        self.spent = self.spent.saturating_add(requests);
        self.left = self.left.saturating_sub(requests);
    }

    /// What may still be spent: this run's own count, or less when Hardcover's answers say the
    /// day's quota is lower than assumed at the start (`server`).
    pub fn left(&self, server: Option<u32>) -> u32 {
        server.map_or(self.left, |s| self.left.min(s))
    }

    /// Requests sent so far.
    pub fn spent(&self) -> u32 {
        self.spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spending_counts_up_and_never_leaves_less_than_nothing() {
        let mut b = Budget::new(3);
        b.spend(2);
        assert_eq!((b.left(None), b.spent()), (1, 2), "two spent of three leave one");
        b.spend(5);
        assert_eq!(b.left(None), 0, "spending past the budget leaves nothing, not a wrapped count");
        assert_eq!(b.spent(), 7, "every request sent is counted, even past the budget");
    }

    #[test]
    fn hardcovers_own_count_lowers_what_is_left_never_raises_it() {
        let b = Budget::new(10);
        assert_eq!(b.left(Some(4)), 4, "a lower quota on Hardcover's side is what is left");
        assert_eq!(b.left(Some(40)), 10, "a higher one does not raise the run's own budget");
    }
}
