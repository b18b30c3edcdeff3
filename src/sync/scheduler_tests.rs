//! Timing tests on tokio's paused clock: time only moves when every task is idle, so these also
//! prove the scheduler is idle (asleep on one deadline) between runs.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use super::*;

const MIN: Duration = Duration::from_secs(60);

/// A job that records when it ran (paused-clock instants) and answers from a script.
#[derive(Clone)]
struct Probe {
    start: Instant,
    runs: Arc<Mutex<Vec<Duration>>>,
    running: Arc<AtomicU32>,
    max_running: Arc<AtomicU32>,
}

impl Probe {
    fn new() -> Self {
        Self { start: Instant::now(), runs: Arc::default(), running: Arc::default(), max_running: Arc::default() }
    }

    fn minutes(&self) -> Vec<u64> {
        self.runs.lock().unwrap().iter().map(|d| d.as_secs() / 60).collect()
    }

    /// A job lasting `takes`, answering `script(n)` on its n-th run (from 0).
    fn job(
        &self,
        takes: Duration,
        script: impl Fn(usize) -> JobOutcome<u32> + Send + Sync + 'static,
    ) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = JobOutcome<u32>> + Send>> + Send + 'static {
        let probe = self.clone();
        let script = Arc::new(script);
        move || {
            let probe = probe.clone();
            let script = script.clone();
            Box::pin(async move {
                let n = {
                    let mut runs = probe.runs.lock().unwrap();
                    runs.push(probe.start.elapsed());
                    runs.len() - 1
                };
                let now = probe.running.fetch_add(1, Ordering::SeqCst) + 1;
                probe.max_running.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(takes).await;
                probe.running.fetch_sub(1, Ordering::SeqCst);
                script(n)
            })
        }
    }
}

fn config() -> SchedulerConfig {
    SchedulerConfig { interval: 30 * MIN, backoff_base: MIN, backoff_max: 10 * MIN, run_at_start: true }
}

#[tokio::test(start_paused = true)]
async fn runs_at_start_then_every_interval_and_sleeps_in_between() {
    let probe = Probe::new();
    let (handle, _task) = spawn(config(), probe.job(Duration::ZERO, |n| JobOutcome::Done(n as u32)));
    tokio::time::sleep(95 * MIN).await;
    assert_eq!(probe.minutes(), vec![0, 30, 60, 90], "a run at start, then one per interval, nothing in between");
    let status = handle.status().borrow().clone();
    assert_eq!(status.phase, Phase::Idle);
    assert_eq!(status.runs, 4);
    assert_eq!(status.last, Some(JobReport::Done { result: 3 }), "the status carries the last result");
    assert_eq!(status.next_run_in(), Some(25 * MIN), "the status says when the next sync is");
}

#[tokio::test(start_paused = true)]
async fn sync_now_runs_at_once_but_never_two_syncs_at_the_same_time() {
    let probe = Probe::new();
    let (handle, _task) = spawn(config(), probe.job(5 * MIN, |_| JobOutcome::Done(0)));
    let mut events = handle.subscribe();
    tokio::time::sleep(MIN).await; // the first run is under way
    handle.sync_now().await;
    tokio::time::sleep(10 * MIN).await;
    handle.sync_now().await;
    tokio::time::sleep(MIN).await;
    assert_eq!(probe.max_running.load(Ordering::SeqCst), 1, "two syncs must never run at once");
    assert_eq!(probe.minutes(), vec![0, 11], "'sync now' during a run is not queued; when idle it runs immediately");
    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        seen.push(e);
    }
    assert!(seen.contains(&Event::AlreadyRunning), "the shell is told a sync is already running: {seen:?}");
    // After "sync now" the interval counts from that run's end.
    tokio::time::sleep(40 * MIN).await;
    assert_eq!(probe.minutes(), vec![0, 11, 46]);
}

#[tokio::test(start_paused = true)]
async fn pause_stops_scheduled_syncs_and_resume_catches_up() {
    let probe = Probe::new();
    let (handle, _task) = spawn(config(), probe.job(Duration::ZERO, |_| JobOutcome::Done(0)));
    tokio::time::sleep(MIN).await;
    handle.pause().await;
    tokio::time::sleep(2 * 60 * MIN).await;
    assert_eq!(probe.minutes(), vec![0], "a paused scheduler must not sync");
    assert_eq!(handle.status().borrow().phase, Phase::Paused);
    handle.resume().await;
    tokio::time::sleep(MIN).await;
    assert_eq!(probe.minutes(), vec![0, 121], "resuming after a missed sync runs it right away");
}

#[tokio::test(start_paused = true)]
async fn offline_backs_off_exponentially_capped_and_recovers() {
    let probe = Probe::new();
    let outcome = |n: usize| if n < 6 { JobOutcome::Offline("no network".into()) } else { JobOutcome::Done(0) };
    let (handle, _task) = spawn(config(), probe.job(Duration::ZERO, outcome));
    tokio::time::sleep(60 * MIN).await;
    // Retries after 1, 2, 4, 8, then capped at 10 minutes; the 7th run succeeds and the normal
    // interval resumes.
    assert_eq!(probe.minutes(), vec![0, 1, 3, 7, 15, 25, 35], "backoff must double and cap at backoff_max");
    assert_eq!(handle.status().borrow().phase, Phase::Idle, "a success ends the backoff");
    tokio::time::sleep(30 * MIN).await;
    assert_eq!(probe.minutes().last(), Some(&65), "then syncs return to the normal interval");
}

#[tokio::test(start_paused = true)]
async fn rate_limited_waits_as_long_as_the_server_asks() {
    let probe = Probe::new();
    let outcome = |n: usize| match n {
        0 => JobOutcome::RateLimited { retry_after: Some(45 * MIN) },
        _ => JobOutcome::Done(0),
    };
    let (handle, _task) = spawn(config(), probe.job(Duration::ZERO, outcome));
    tokio::time::sleep(MIN).await;
    assert_eq!(handle.status().borrow().phase, Phase::BackingOff { attempt: 1 });
    tokio::time::sleep(50 * MIN).await;
    assert_eq!(probe.minutes(), vec![0, 45], "Retry-After must be honoured even beyond backoff_max");
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_the_running_sync_finish() {
    let probe = Probe::new();
    let (handle, task) = spawn(config(), probe.job(5 * MIN, |_| JobOutcome::Done(7)));
    let mut events = handle.subscribe();
    tokio::time::sleep(MIN).await;
    handle.shutdown().await;
    task.await.unwrap();
    assert_eq!(probe.running.load(Ordering::SeqCst), 0, "the running sync must complete, not be cut in half");
    let mut finished = false;
    while let Ok(e) = events.try_recv() {
        finished |= matches!(e, Event::Finished(JobReport::Done { result: 7 }));
    }
    assert!(finished, "its result is still reported");
    assert_eq!(handle.status().borrow().phase, Phase::Stopped);
}
