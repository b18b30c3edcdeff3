//! The one place that decides when a request to Hardcover may leave.
//!
//! Hardcover limits each *user* (all of their apps and tokens together) to 60 requests a minute
//! with a burst of 10 and 5,000 a day on the free plan, and every top-level field of an operation
//! counts as one request. Peers learned this from 429s and from a first sync that burned the
//! whole daily budget; we wait *before* sending instead: a token bucket sized from the
//! `RateLimit-Policy` header, corrected by what the server says is left (`RateLimit`), held back
//! entirely after a 429's `Retry-After`, plus a daily budget the sync can read to defer work.
//!
//! Pacing follows the policy: once the burst is spent, a request waits for the refill of the
//! tokens it needs (q/w per second), not for the whole window; only after a 429 does it fall back
//! to waiting for the window's reset. What it learns is shared through [`SharedLimits`] (the
//! database), so the tray, the window and a CLI run, or a run restarted after a kill, never start
//! with a burst another one already spent.
//!
//! Every figure from a header is clamped with checked arithmetic: `Retry-After: 1e20`, a huge
//! or negative `t=` or garbage can neither panic nor hold requests back for longer than
//! [`MAX_HOLD`].
//!
//! Header formats (IETF draft, as Hardcover sends them):
//! `RateLimit-Policy: "Free";q=60;w=60;burst=10, "daily";q=5000;w=86400`
//! `RateLimit: "Free";r=8;t=42, "daily";r=4990;t=80000`

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use tokio::time::Instant;

use super::error::HardcoverError;

/// The longest any header may hold requests back: a day (the daily window). Anything beyond is a
/// broken or hostile header, not a plan.
pub const MAX_HOLD: Duration = Duration::from_secs(86_400);

/// `secs` seconds as a duration, clamped to `0..=MAX_HOLD` (NaN and infinities included).
fn clamped_secs(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(secs).unwrap_or(MAX_HOLD).min(MAX_HOLD)
}

/// `now + d`, never overflowing (an `Instant` far in the future panics on some platforms).
fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d.min(MAX_HOLD)).unwrap_or(now)
}

/// Limits assumed until the server says otherwise (Hardcover's free plan).
#[derive(Debug, Clone, PartialEq)]
pub struct LimiterConfig {
    /// Requests allowed per `window` (60 per minute).
    pub per_window: u32,
    pub window: Duration,
    /// How many may go out back to back.
    pub burst: u32,
    /// Requests per day (5,000 free, 50,000 supporter).
    pub daily_quota: u32,
    /// Longest a caller is made to wait; a longer hold (a 429 asking for an hour) is returned as
    /// [`HardcoverError::RateLimited`] so the sync can stop and retry later instead of hanging.
    pub max_wait: Duration,
}

impl Default for LimiterConfig {
    fn default() -> Self {
        Self {
            per_window: 60,
            window: Duration::from_secs(60),
            burst: 10,
            daily_quota: 5_000,
            max_wait: Duration::from_secs(120),
        }
    }
}

/// What the limiter knows right now, for the sync (defer work when `remaining_today` runs low)
/// and the UI.
#[derive(Debug, Clone, PartialEq)]
pub struct LimiterSnapshot {
    pub per_window: u32,
    pub window: Duration,
    pub burst: u32,
    /// Requests that could be sent right now without waiting.
    pub available_now: u32,
    /// Set while a 429 or an exhausted window holds every request back.
    pub blocked_for: Option<Duration>,
    pub daily_quota: u32,
    /// The server's last figure minus what we sent since, or our own count when it never said.
    pub remaining_today: u32,
    pub daily_resets_in: Option<Duration>,
    /// Whether `remaining_today` comes from the server's `RateLimit` header.
    pub daily_from_server: bool,
    /// Top-level fields sent through this limiter since it was made.
    pub fields_sent: u64,
}

#[derive(Debug)]
struct State {
    cfg: LimiterConfig,
    tokens: f64,
    refilled_at: Instant,
    /// The server's count for the current short window: (remaining, resets at).
    window: Option<(u32, Instant)>,
    blocked_until: Option<Instant>,
    /// The server's daily count: (remaining, resets at), decremented as we send.
    daily: Option<(u32, Instant)>,
    /// Sent since start when the server never told us its daily count.
    daily_used_locally: u32,
    fields_sent: u64,
    /// After a 429: an exhausted window is waited out until its reset, because pacing by the
    /// refill rate was evidently too optimistic for this server.
    strict: bool,
}

impl State {
    fn refill(&mut self, now: Instant) {
        let rate = self.cfg.per_window as f64 / self.cfg.window.as_secs_f64().max(0.001);
        let elapsed = now.saturating_duration_since(self.refilled_at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(self.cfg.burst as f64);
        self.refilled_at = now;
        if matches!(self.window, Some((_, reset)) if reset <= now) {
            self.window = None;
        }
        if matches!(self.blocked_until, Some(until) if until <= now) {
            self.blocked_until = None;
        }
        if matches!(self.daily, Some((_, reset)) if reset <= now) {
            self.daily = None;
            self.daily_used_locally = 0;
        }
    }

    fn remaining_today(&self) -> u32 {
        match self.daily {
            Some((r, _)) => r,
            None => self.cfg.daily_quota.saturating_sub(self.daily_used_locally),
        }
    }

    fn rate(&self) -> f64 {
        self.cfg.per_window as f64 / self.cfg.window.as_secs_f64().max(0.001)
    }

    /// How long `cost` requests must wait, or zero when they may go now.
    fn wait_for(&self, now: Instant, cost: u32) -> Duration {
        let mut wait = Duration::ZERO;
        if let Some(until) = self.blocked_until {
            wait = wait.max(until.saturating_duration_since(now));
        }
        if let Some((r, reset)) = self.window
            && r < cost
            && self.strict
        {
            wait = wait.max(reset.saturating_duration_since(now));
        }
        let need = cost.min(self.cfg.burst.max(1)) as f64;
        if self.tokens < need {
            wait = wait.max(clamped_secs((need - self.tokens) / self.rate()));
        }
        wait
    }

    fn take(&mut self, cost: u32) {
        self.tokens -= cost.min(self.cfg.burst.max(1)) as f64;
        if let Some((r, _)) = &mut self.window {
            *r = r.saturating_sub(cost);
        }
        if let Some((r, _)) = &mut self.daily {
            *r = r.saturating_sub(cost);
        }
        self.daily_used_locally = self.daily_used_locally.saturating_add(cost);
        self.fields_sent += cost as u64;
    }
}

/// Shared by every client of one Hardcover user (limits are per user, not per token).
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    shared: Option<Arc<dyn SharedLimits>>,
}

impl std::fmt::Debug for dyn SharedLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedLimits")
    }
}

/// Where the limiter's state is kept between processes and restarts (the database).
pub trait SharedLimits: Send + Sync {
    fn load(&self) -> Option<SavedLimits>;
    /// Best effort: a failed save only makes the next process less careful, never wrong.
    fn save(&self, saved: &SavedLimits);
}

/// The limiter's state in wall-clock time, to outlive the process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedLimits {
    /// When it was saved (Unix ms): tokens refill from then on.
    pub saved_at_ms: i64,
    pub per_window: u32,
    pub window_secs: u64,
    pub burst: u32,
    pub daily_quota: u32,
    pub tokens: f64,
    /// The server's count for the short window and when it resets (Unix ms).
    pub window: Option<(u32, i64)>,
    pub blocked_until_ms: Option<i64>,
    /// The server's daily count and when it resets (Unix ms).
    pub daily: Option<(u32, i64)>,
    #[serde(default)]
    pub strict: bool,
}

fn unix_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

impl SavedLimits {
    fn from_state(s: &State, now: Instant, wall: SystemTime) -> Self {
        let wall_ms = unix_ms(wall);
        let at = |i: Instant| {
            wall_ms.saturating_add(i64::try_from(i.saturating_duration_since(now).as_millis()).unwrap_or(i64::MAX))
        };
        Self {
            saved_at_ms: wall_ms,
            per_window: s.cfg.per_window,
            window_secs: s.cfg.window.as_secs(),
            burst: s.cfg.burst,
            daily_quota: s.cfg.daily_quota,
            tokens: s.tokens,
            window: s.window.map(|(r, reset)| (r, at(reset))),
            blocked_until_ms: s.blocked_until.map(at),
            daily: s.daily.map(|(r, reset)| (r, at(reset))),
            strict: s.strict,
        }
    }

    /// Fold this saved state into `s`, keeping whichever is tighter. Times already past are
    /// dropped; the saved tokens refill at the plan's rate since they were saved.
    fn merge_into(&self, s: &mut State, now: Instant, wall: SystemTime) {
        let wall_ms = unix_ms(wall);
        let until = |ms: i64| -> Option<Instant> {
            let ahead = u64::try_from(ms.saturating_sub(wall_ms)).ok().filter(|d| *d > 0)?;
            Some(later(now, Duration::from_millis(ahead)))
        };
        if self.per_window > 0 && self.window_secs > 0 {
            s.cfg.per_window = self.per_window;
            s.cfg.window = Duration::from_secs(self.window_secs.min(MAX_HOLD.as_secs()));
        }
        if self.burst > 0 {
            s.cfg.burst = self.burst;
        }
        if self.daily_quota > 0 {
            s.cfg.daily_quota = self.daily_quota;
        }
        let elapsed = (wall_ms.saturating_sub(self.saved_at_ms)).max(0) as f64 / 1000.0;
        let theirs = if self.tokens.is_finite() { self.tokens + elapsed * s.rate() } else { 0.0 };
        s.tokens = s.tokens.min(theirs.clamp(0.0, s.cfg.burst as f64));
        if let Some((r, reset)) = self.window
            && let Some(reset) = until(reset)
        {
            s.window = Some(match s.window {
                Some((mine, my_reset)) => (mine.min(r), my_reset.max(reset)),
                None => (r, reset),
            });
        }
        if let Some(b) = self.blocked_until_ms.and_then(until) {
            s.blocked_until = Some(s.blocked_until.map_or(b, |mine| mine.max(b)));
        }
        if let Some((r, reset)) = self.daily
            && let Some(reset) = until(reset)
        {
            s.daily = Some(match s.daily {
                Some((mine, my_reset)) => (mine.min(r), my_reset.max(reset)),
                None => (r, reset),
            });
        }
        s.strict |= self.strict && s.window.is_some();
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(LimiterConfig::default())
    }
}

impl RateLimiter {
    pub fn new(cfg: LimiterConfig) -> Self {
        let tokens = cfg.burst as f64;
        Self {
            state: Mutex::new(State {
                cfg,
                tokens,
                refilled_at: Instant::now(),
                window: None,
                blocked_until: None,
                daily: None,
                daily_used_locally: 0,
                fields_sent: 0,
                strict: false,
            }),
            shared: None,
        }
    }

    /// Share what this limiter learns with every other process of this data folder, and start
    /// from what they (or this one before a restart) left there.
    pub fn with_shared(mut self, shared: Arc<dyn SharedLimits>) -> Self {
        self.shared = Some(shared);
        self.merge_shared();
        self
    }

    /// The longest a caller is made to wait before [`HardcoverError::RateLimited`] is returned.
    pub fn max_wait(&self) -> Duration {
        self.lock().cfg.max_wait
    }

    /// Take the tighter of our view and the shared one: another process may have spent tokens.
    fn merge_shared(&self) {
        let Some(saved) = self.shared.as_ref().and_then(|s| s.load()) else { return };
        let mut s = self.lock();
        let now = Instant::now();
        s.refill(now);
        saved.merge_into(&mut s, now, SystemTime::now());
    }

    fn save_shared(&self) {
        let Some(shared) = &self.shared else { return };
        let saved = {
            let s = self.lock();
            SavedLimits::from_state(&s, Instant::now(), SystemTime::now())
        };
        shared.save(&saved);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain numbers behind: still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wait until an operation with `top_level_fields` fields may be sent, and count it.
    ///
    /// Errors instead of waiting when the daily budget cannot cover it, or when the wait would be
    /// longer than `max_wait`.
    pub async fn acquire(&self, top_level_fields: u32) -> Result<(), HardcoverError> {
        let cost = top_level_fields.max(1);
        loop {
            self.merge_shared();
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                s.refill(now);
                if s.remaining_today() < cost {
                    return Err(HardcoverError::DailyLimit {
                        resets_in: s.daily.map(|(_, reset)| reset.saturating_duration_since(now)),
                    });
                }
                let wait = s.wait_for(now, cost);
                if wait.is_zero() {
                    s.take(cost);
                    drop(s);
                    self.save_shared();
                    return Ok(());
                }
                if wait > s.cfg.max_wait {
                    return Err(HardcoverError::RateLimited { retry_after: wait });
                }
                wait
            };
            tracing::debug!(wait_ms = wait.as_millis() as u64, "waiting for Hardcover's rate limit");
            tokio::time::sleep(wait).await;
        }
    }

    /// Learn from a response's `RateLimit-Policy` and `RateLimit` headers.
    pub fn observe_headers(&self, rate_limit: Option<&str>, policy: Option<&str>) {
        {
            let mut s = self.lock();
            let now = Instant::now();
            s.refill(now);
            let policies = policy.map(parse_items).unwrap_or_default();
            let mut daily_names = Vec::new();
            for p in &policies {
                let (Some(q), Some(w)) = (p.get("q"), p.get("w")) else { continue };
                let q = u32::try_from(q).unwrap_or(u32::MAX);
                if is_daily(&p.name, Some(w)) {
                    daily_names.push(p.name.clone());
                    // A daily quota of zero would hold everything for a day: a broken header.
                    if q > 0 {
                        s.cfg.daily_quota = q;
                    }
                } else if w > 0 && q > 0 {
                    s.cfg.per_window = q;
                    s.cfg.window = Duration::from_secs(w.min(MAX_HOLD.as_secs()));
                    if let Some(burst) = p.get("burst").filter(|b| *b > 0) {
                        let burst = u32::try_from(burst).unwrap_or(u32::MAX);
                        s.cfg.burst = burst;
                        s.tokens = s.tokens.min(f64::from(burst));
                    }
                }
            }
            for item in rate_limit.map(parse_items).unwrap_or_default() {
                let (Some(r), Some(t)) = (item.get("r"), item.get("t")) else { continue };
                let reset = later(now, Duration::from_secs(t.min(MAX_HOLD.as_secs())));
                let r = u32::try_from(r).unwrap_or(u32::MAX);
                if daily_names.contains(&item.name) || is_daily(&item.name, None) {
                    s.daily = Some((r, reset));
                } else {
                    // Never trust the server to be more generous than our own bucket; only tighter.
                    // An empty window is paced by the refill rate (the bucket), not held until its
                    // reset, unless a 429 showed that pacing to be too eager.
                    s.tokens = s.tokens.min(f64::from(r));
                    s.window = Some((r, reset));
                    if r > 0 {
                        s.strict = false;
                    } else if s.strict {
                        s.blocked_until = Some(s.blocked_until.map_or(reset, |b| b.max(reset)));
                    }
                }
            }
        }
        self.save_shared();
    }

    /// A 429 said to come back after `retry_after`: hold every request until then, and wait out
    /// exhausted windows until their reset from now on.
    pub fn observe_retry_after(&self, retry_after: Duration) {
        {
            let mut s = self.lock();
            let now = Instant::now();
            let until = later(now, retry_after);
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
            s.tokens = 0.0;
            s.strict = true;
        }
        self.save_shared();
    }

    pub fn snapshot(&self) -> LimiterSnapshot {
        let mut s = self.lock();
        let now = Instant::now();
        s.refill(now);
        let blocked_for = s
            .blocked_until
            .map(|u| u.saturating_duration_since(now))
            .or_else(|| match s.window {
                Some((0, reset)) => Some(reset.saturating_duration_since(now)),
                _ => None,
            })
            .filter(|d| !d.is_zero());
        let mut available = s.tokens.floor().max(0.0) as u32;
        if let Some((r, _)) = s.window {
            available = available.min(r);
        }
        if blocked_for.is_some() {
            available = 0;
        }
        LimiterSnapshot {
            per_window: s.cfg.per_window,
            window: s.cfg.window,
            burst: s.cfg.burst,
            available_now: available.min(s.remaining_today()),
            blocked_for,
            daily_quota: s.cfg.daily_quota,
            remaining_today: s.remaining_today(),
            daily_resets_in: s.daily.map(|(_, reset)| reset.saturating_duration_since(now)),
            daily_from_server: s.daily.is_some(),
            fields_sent: s.fields_sent,
        }
    }

    /// Top-level fields sent since this limiter was made (each one a request to Hardcover).
    pub fn fields_sent(&self) -> u64 {
        self.lock().fields_sent
    }
}

fn is_daily(name: &str, window_secs: Option<u64>) -> bool {
    window_secs.is_some_and(|w| w >= 3_600) || name.eq_ignore_ascii_case("daily") || name.eq_ignore_ascii_case("day")
}

/// One `"name";k=v;k=v` item of a structured header list.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    name: String,
    params: Vec<(String, String)>,
}

impl Item {
    fn get(&self, key: &str) -> Option<u64> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.trim_matches('"').parse().ok())
    }
}

/// Lenient parser for `"Free";q=60;w=60;burst=10, "daily";q=5000;w=86400`. Malformed items are
/// skipped rather than failing the request: the headers only ever make us more careful.
fn parse_items(header: &str) -> Vec<Item> {
    split_outside_quotes(header, ',')
        .into_iter()
        .filter_map(|raw| {
            let mut parts = split_outside_quotes(raw, ';').into_iter();
            let name = parts.next()?.trim().trim_matches('"').to_owned();
            if name.is_empty() {
                return None;
            }
            let params = parts
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    Some((k.trim().to_owned(), v.trim().to_owned()))
                })
                .collect();
            Some(Item { name, params })
        })
        .collect()
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c == sep && !in_quotes => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Hardcover; a minute is assumed for
/// anything unreadable), clamped to [`MAX_HOLD`].
pub fn parse_retry_after(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(clamped_secs)
        .unwrap_or(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#""Free";q=60;w=60;burst=10, "daily";q=5000;w=86400"#;

    #[test]
    fn parses_hardcover_headers() {
        let items = parse_items(POLICY);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].name, "Free");
        assert_eq!(items[0].get("burst"), Some(10));
        assert_eq!(items[1].get("w"), Some(86_400));
        assert_eq!(parse_items("garbage;;,").len(), 1, "junk must not panic");
        assert_eq!(parse_retry_after(Some("7")), Duration::from_secs(7));
        assert_eq!(
            parse_retry_after(Some("soon")),
            Duration::from_secs(60),
            "unparseable Retry-After assumes a minute"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_one_per_second() {
        let l = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..10 {
            l.acquire(1).await.unwrap();
        }
        assert!(start.elapsed() < Duration::from_millis(10), "a burst of 10 must go out without waiting");
        l.acquire(1).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(999), "the 11th request must wait for the bucket to refill");
        assert_eq!(l.fields_sent(), 11, "every top-level field is counted");
    }

    #[tokio::test(start_paused = true)]
    async fn five_field_operation_costs_five() {
        let l = RateLimiter::default();
        l.acquire(5).await.unwrap();
        l.acquire(5).await.unwrap();
        let start = Instant::now();
        l.acquire(5).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(4_999), "after 10 fields a 5-field operation waits ~5 s");
        assert_eq!(l.snapshot().fields_sent, 15);
    }

    #[tokio::test(start_paused = true)]
    async fn server_says_none_left_paces_by_the_refill_not_the_whole_window() {
        let l = RateLimiter::default();
        l.observe_headers(Some(r#""Free";r=0;t=60, "daily";r=4000;t=9000"#), Some(POLICY));
        let snap = l.snapshot();
        assert_eq!(snap.remaining_today, 4000, "the daily budget comes from the server");
        assert!(snap.daily_from_server);
        assert_eq!(snap.available_now, 0, "r=0 means nothing may be sent now");
        let start = Instant::now();
        l.acquire(1).await.unwrap();
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(999) && waited < Duration::from_secs(2),
            "after r=0 the next request waits for one token's refill at q/w (1 s), not t=60 (waited {waited:?})"
        );
        assert_eq!(l.snapshot().remaining_today, 3999, "sent fields come off the daily budget");
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_429_an_empty_window_is_waited_out_until_its_reset() {
        let l = RateLimiter::default();
        l.observe_headers(Some(r#""Free";r=0;t=30"#), Some(POLICY));
        l.observe_retry_after(Duration::from_secs(2));
        l.observe_headers(Some(r#""Free";r=0;t=30"#), Some(POLICY));
        let start = Instant::now();
        l.acquire(1).await.unwrap();
        assert!(
            start.elapsed() >= Duration::from_secs(30),
            "once pacing brought a 429, r=0 waits for the reset (waited {:?})",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn hostile_retry_after_values_are_clamped_and_never_hang_the_caller() {
        for hostile in
            ["1e20", "1e308", "inf", "NaN", "-5", "18446744073709551616", "soon", "", "9".repeat(400).as_str()]
        {
            let d = parse_retry_after(Some(hostile));
            assert!(d <= MAX_HOLD, "Retry-After {hostile:?} must be clamped to a day, got {d:?}");
            let l = RateLimiter::default();
            l.observe_retry_after(d);
            let start = Instant::now();
            match l.acquire(1).await {
                Ok(()) => assert!(start.elapsed() <= l.max_wait(), "{hostile:?}: a granted request waited too long"),
                Err(e) => assert!(
                    matches!(e, HardcoverError::RateLimited { retry_after } if retry_after <= MAX_HOLD),
                    "{hostile:?}: a hold beyond max_wait is returned, bounded: {e:?}"
                ),
            }
            assert!(start.elapsed() <= l.max_wait(), "{hostile:?}: nobody waits longer than max_wait");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn hostile_ratelimit_headers_are_clamped_and_never_hang_the_caller() {
        let cases: &[(&str, &str)] = &[
            (r#""Free";r=0;t=18446744073709551615"#, POLICY),
            (r#""Free";r=0;t=-5"#, POLICY),
            (r#""Free";r=0;t=99999999999999999999999"#, POLICY),
            (r#""Free";r=18446744073709551615;t=1"#, POLICY),
            (r#""Free";r=0;t=1e20"#, r#""Free";q=1;w=18446744073709551615;burst=18446744073709551615"#),
            ("\"\";;;==,,,\"", r#"q=;w=;burst=-1,"#),
            (r#""Free";r=0;t=5"#, r#""Free";q=0;w=0;burst=0, "daily";q=0;w=0"#),
            (r#""Free";r=0;t=5"#, r#""Free";q=18446744073709551615;w=1;burst=4294967296"#),
        ];
        for (rate, policy) in cases {
            let l = RateLimiter::default();
            l.observe_headers(Some(rate), Some(policy));
            let _ = l.snapshot();
            let start = Instant::now();
            let res = l.acquire(1).await;
            assert!(
                start.elapsed() <= l.max_wait(),
                "RateLimit {rate:?} / policy {policy:?}: waited {:?}",
                start.elapsed()
            );
            if let Err(e) = res {
                assert!(
                    matches!(e, HardcoverError::RateLimited { retry_after } if retry_after <= MAX_HOLD)
                        || matches!(e, HardcoverError::DailyLimit { resets_in } if resets_in.is_none_or(|d| d <= MAX_HOLD)),
                    "RateLimit {rate:?} / policy {policy:?}: only a bounded hold may be returned: {e:?}"
                );
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn daily_budget_exhausted_is_an_error_not_a_day_long_wait() {
        let l = RateLimiter::default();
        l.observe_headers(Some(r#""Free";r=50;t=30, "daily";r=2;t=7200"#), Some(POLICY));
        l.acquire(2).await.unwrap();
        let err = l.acquire(1).await.expect_err("no daily budget left must refuse to send");
        assert!(
            matches!(err, HardcoverError::DailyLimit { resets_in: Some(d) } if d <= Duration::from_secs(7200)),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_requests_and_long_holds_are_returned() {
        let l = RateLimiter::default();
        l.observe_retry_after(Duration::from_secs(5));
        let start = Instant::now();
        l.acquire(1).await.unwrap();
        assert!(start.elapsed() >= Duration::from_secs(5), "a 429's Retry-After must hold the next request");
        l.observe_retry_after(Duration::from_secs(3600));
        let err = l.acquire(1).await.expect_err("an hour-long hold must not block the caller");
        assert!(matches!(err, HardcoverError::RateLimited { retry_after } if retry_after > Duration::from_secs(3000)));
    }

    #[tokio::test(start_paused = true)]
    async fn policy_header_updates_the_plan() {
        let l = RateLimiter::default();
        l.observe_headers(None, Some(r#""Supporter";q=60;w=60;burst=15, "daily";q=50000;w=86400"#));
        let s = l.snapshot();
        assert_eq!((s.burst, s.daily_quota, s.remaining_today), (15, 50_000, 50_000));
    }
}
