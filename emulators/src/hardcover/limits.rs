//! Hardcover's per-user request budget: a token bucket (60/min, burst 10 on the free plan) plus a
//! daily quota, where every top-level field of an operation costs one request.

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Plan name shown in the `RateLimit` headers ("Free", "Supporter").
    pub policy: String,
    pub per_minute: u32,
    pub burst: u32,
    pub daily: u32,
    /// Most top-level fields one operation may hold (aliases count).
    pub max_top_level: usize,
}

impl Default for Limits {
    /// The free plan.
    fn default() -> Self {
        Self { policy: "Free".into(), per_minute: 60, burst: 10, daily: 5_000, max_top_level: 5 }
    }
}

impl Limits {
    /// The supporter plan: same rate, bigger burst and daily quota.
    pub fn supporter() -> Self {
        Self { policy: "Supporter".into(), burst: 15, daily: 50_000, ..Self::default() }
    }

    /// Limits no test or benchmark will hit (the top-level field cap stays, it is a shape rule).
    pub fn unlimited() -> Self {
        Self { policy: "Free".into(), per_minute: 1_000_000, burst: 1_000_000, daily: u32::MAX / 2, max_top_level: 5 }
    }

    /// `RateLimit-Policy` header value.
    pub fn policy_header(&self) -> String {
        format!(
            "\"{}\";q={};w=60;burst={}, \"daily\";q={};w=86400",
            self.policy, self.per_minute, self.burst, self.daily
        )
    }
}

/// Remaining budget after a request, for the response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub minute_remaining: u32,
    /// Seconds until the bucket is full again.
    pub minute_reset: u64,
    pub daily_remaining: u32,
    pub daily_reset: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed(Snapshot),
    Limited { retry_after: u64, snapshot: Snapshot },
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
    day_used: u32,
    day_started: Instant,
}

const DAY: Duration = Duration::from_secs(86_400);

#[derive(Debug)]
pub struct Limiter {
    limits: Limits,
    buckets: HashMap<i64, Bucket>,
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Self { limits, buckets: HashMap::new() }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// New limits apply at once and start every user with a full budget.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
        self.buckets.clear();
    }

    fn rate(&self) -> f64 {
        f64::from(self.limits.per_minute.max(1)) / 60.0
    }

    fn bucket(&mut self, user: i64, now: Instant) -> &mut Bucket {
        let rate = f64::from(self.limits.per_minute.max(1)) / 60.0;
        let burst = f64::from(self.limits.burst.max(1));
        let b =
            self.buckets.entry(user).or_insert(Bucket { tokens: burst, refilled: now, day_used: 0, day_started: now });
        let elapsed = now.saturating_duration_since(b.refilled).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(burst);
        b.refilled = now;
        if now.saturating_duration_since(b.day_started) >= DAY {
            b.day_used = 0;
            b.day_started = now;
        }
        b
    }

    fn snapshot(&mut self, user: i64, now: Instant) -> Snapshot {
        let rate = self.rate();
        let (burst, daily) = (f64::from(self.limits.burst.max(1)), self.limits.daily);
        let b = self.bucket(user, now);
        Snapshot {
            minute_remaining: b.tokens.floor() as u32,
            minute_reset: ((burst - b.tokens) / rate).ceil() as u64,
            daily_remaining: daily.saturating_sub(b.day_used),
            daily_reset: DAY.saturating_sub(now.saturating_duration_since(b.day_started)).as_secs(),
        }
    }

    /// The caller's budget without spending any.
    pub fn peek(&mut self, user: i64, now: Instant) -> Snapshot {
        self.snapshot(user, now)
    }

    /// Spend `cost` requests for `user`, or say how long to wait.
    pub fn charge(&mut self, user: i64, cost: u32, now: Instant) -> Verdict {
        let rate = self.rate();
        // An operation can never cost more than a full bucket, or it could never pass.
        let cost = cost.min(self.limits.burst.max(1));
        let daily = self.limits.daily;
        let b = self.bucket(user, now);
        if b.day_used.saturating_add(cost) > daily {
            let retry_after = DAY.saturating_sub(now.saturating_duration_since(b.day_started)).as_secs().max(1);
            return Verdict::Limited { retry_after, snapshot: self.snapshot(user, now) };
        }
        if b.tokens + 1e-9 < f64::from(cost) {
            let retry_after = ((f64::from(cost) - b.tokens) / rate).ceil().max(1.0) as u64;
            return Verdict::Limited { retry_after, snapshot: self.snapshot(user, now) };
        }
        b.tokens -= f64::from(cost);
        b.day_used += cost;
        Verdict::Allowed(self.snapshot(user, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_then_refills_at_the_minute_rate() {
        let mut l = Limiter::new(Limits::default());
        let t0 = Instant::now();
        for i in 0..10 {
            assert!(matches!(l.charge(1, 1, t0), Verdict::Allowed(_)), "request {i} of the burst of 10 must pass");
        }
        match l.charge(1, 1, t0) {
            Verdict::Limited { retry_after, .. } => {
                assert_eq!(retry_after, 1, "at 60/min one request frees up after a second")
            }
            v => panic!("the 11th request in the same instant must be limited, got {v:?}"),
        }
        assert!(
            matches!(l.charge(1, 1, t0 + Duration::from_secs(1)), Verdict::Allowed(_)),
            "a second later one request fits again"
        );
        assert!(matches!(l.charge(2, 1, t0), Verdict::Allowed(_)), "limits are per user");
    }

    #[test]
    fn the_daily_quota_caps_requests_and_resets_after_a_day() {
        let mut l = Limiter::new(Limits { daily: 3, ..Limits::default() });
        let t0 = Instant::now();
        assert!(
            matches!(l.charge(1, 3, t0), Verdict::Allowed(s) if s.daily_remaining == 0),
            "3 of 3 daily requests pass"
        );
        assert!(
            matches!(l.charge(1, 1, t0), Verdict::Limited { retry_after, .. } if retry_after > 86_000),
            "the 4th waits for the next day"
        );
        assert!(matches!(l.charge(1, 1, t0 + DAY), Verdict::Allowed(_)), "a new day brings a new quota");
    }
}
