//! Test and benchmark knobs: fixed latency and injected failures, random at a seeded rate or
//! scripted for the next N requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A failure the emulator can answer with instead of doing the work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (500, 502, 503, …) and a short JSON body.
    Status(u16),
    /// Sleep this long (longer than the client's timeout), then answer 504.
    Timeout(Duration),
    /// Send the headers, then break the connection mid-body.
    Drop,
    /// HTTP 429 with this `Retry-After`, whatever the budget says.
    RateLimited { retry_after: u64 },
}

impl Fault {
    /// Parse the names the HTTP control endpoint and the binary accept: a status code ("503"),
    /// "timeout" (30 s, Hardcover's query timeout), "drop", or "429".
    pub fn parse(name: &str) -> Option<Fault> {
        Some(match name {
            "timeout" => Fault::Timeout(Duration::from_secs(30)),
            "drop" => Fault::Drop,
            "429" => Fault::RateLimited { retry_after: 5 },
            code => Fault::Status(code.parse().ok().filter(|c| (400..600).contains(c))?),
        })
    }
}

#[derive(Debug)]
struct KnobState {
    latency: Duration,
    rate: f64,
    kinds: Vec<Fault>,
    rng: StdRng,
    scripted: VecDeque<Fault>,
    /// Mutations still to apply whose answer is then lost (the connection breaks).
    lose_mutation_answers: usize,
}

/// Shared, live-adjustable knobs (cloning shares them).
#[derive(Debug, Clone)]
pub struct Knobs {
    inner: Arc<Mutex<KnobState>>,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            inner: Arc::new(Mutex::new(KnobState {
                latency: Duration::ZERO,
                rate: 0.0,
                kinds: vec![],
                rng: StdRng::seed_from_u64(0),
                scripted: VecDeque::new(),
                lose_mutation_answers: 0,
            })),
        }
    }
}

impl Knobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, KnobState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every GraphQL request waits this long before being handled.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    pub fn latency(&self) -> Duration {
        self.lock().latency
    }

    /// Fail a fraction `rate` (0..=1) of requests with one of `kinds`, chosen by a PRNG seeded
    /// with `seed`, so a run is reproducible.
    pub fn set_fault_rate(&self, rate: f64, kinds: Vec<Fault>, seed: u64) {
        let mut s = self.lock();
        s.rate = rate.clamp(0.0, 1.0);
        s.kinds = kinds;
        s.rng = StdRng::seed_from_u64(seed);
    }

    /// The next `n` requests fail with `fault` (before any random ones).
    pub fn fail_next(&self, n: usize, fault: Fault) {
        let mut s = self.lock();
        s.scripted.extend(std::iter::repeat_n(fault, n));
    }

    /// The next `n` mutation operations are APPLIED, then their answer is lost (the connection
    /// breaks mid-body): a client that crashed, or lost the network, between send and confirm.
    pub fn lose_mutation_answers(&self, n: usize) {
        self.lock().lose_mutation_answers = n;
    }

    /// Whether the answer of the mutation just applied is to be lost (counts one down).
    pub(crate) fn take_lost_mutation_answer(&self) -> bool {
        let mut s = self.lock();
        if s.lose_mutation_answers == 0 {
            return false;
        }
        s.lose_mutation_answers -= 1;
        true
    }

    /// No latency, no faults.
    pub fn clear(&self) {
        let mut s = self.lock();
        s.lose_mutation_answers = 0;
        s.latency = Duration::ZERO;
        s.rate = 0.0;
        s.kinds.clear();
        s.scripted.clear();
    }

    /// The fault for the request being handled now, if any.
    pub(crate) fn next_fault(&self) -> Option<Fault> {
        let mut s = self.lock();
        if let Some(f) = s.scripted.pop_front() {
            return Some(f);
        }
        if s.rate <= 0.0 || s.kinds.is_empty() {
            return None;
        }
        let roll: f64 = s.rng.r#gen();
        if roll >= s.rate {
            return None;
        }
        let n = s.kinds.len();
        let i = s.rng.gen_range(0..n);
        Some(s.kinds[i].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_faults_are_reproducible_from_the_seed() {
        let run = || {
            let k = Knobs::default();
            k.set_fault_rate(0.3, vec![Fault::Status(500), Fault::Status(503)], 42);
            (0..200).map(|_| k.next_fault()).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run(), "the same seed must inject the same faults in the same order");
        let n = a.iter().filter(|f| f.is_some()).count();
        assert!((30..=90).contains(&n), "a 30% fault rate must fail roughly 60 of 200 requests, failed {n}");
    }

    #[test]
    fn scripted_faults_come_first_and_run_out() {
        let k = Knobs::default();
        k.fail_next(2, Fault::Status(502));
        assert_eq!(k.next_fault(), Some(Fault::Status(502)), "first scripted fault");
        assert_eq!(k.next_fault(), Some(Fault::Status(502)), "second scripted fault");
        assert_eq!(k.next_fault(), None, "after the script, no fault at rate 0");
    }
}
