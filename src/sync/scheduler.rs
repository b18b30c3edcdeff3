//! Runs the sync every `interval`, on demand, pausable; never two at once; backs off when
//! Hardcover is unreachable or rate limiting. No Tauri here: the shell holds a [`SchedulerHandle`],
//! sends commands and listens to the status (`watch`) and events (`broadcast`).
//!
//! The loop sleeps until ONE deadline (the next run) or a command; nothing polls in between, which
//! matters for a tray app that lives for days on a laptop battery. Generic over the job so the
//! timing is tested with tokio's paused clock.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

/// What one run of the job reports back.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome<T> {
    Done(T),
    /// Hardcover (or the network) unreachable: retry with backoff.
    Offline(String),
    /// HTTP 429 or the daily quota: retry after the server's delay, or with backoff.
    RateLimited {
        retry_after: Option<Duration>,
    },
    /// A failure waiting will not fix (rejected token, broken config): reported, retried at the
    /// normal interval.
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchedulerConfig {
    pub interval: Duration,
    /// First retry delay after going offline; doubled per failed attempt …
    pub backoff_base: Duration,
    /// … up to this.
    pub backoff_max: Duration,
    /// Run as soon as the scheduler starts (app launch), rather than one interval later.
    pub run_at_start: bool,
}

impl SchedulerConfig {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            backoff_base: Duration::from_secs(60),
            backoff_max: Duration::from_secs(30 * 60),
            run_at_start: true,
        }
    }

    /// Exponential, capped: base, 2·base, 4·base … ≤ max. `attempt` starts at 1.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.backoff_base.saturating_mul(factor).min(self.backoff_max)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Phase {
    Idle,
    Running,
    Paused,
    /// Waiting to retry after `attempt` failed runs.
    BackingOff {
        attempt: u32,
    },
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchedulerStatus<T> {
    pub phase: Phase,
    /// When the next scheduled run is due; `None` when paused, running or stopped. (Not
    /// serialized: the shell sends [`SchedulerStatus::next_run_in`] or a wall-clock time.)
    #[serde(skip)]
    pub next_run: Option<Instant>,
    pub runs: u64,
    pub last: Option<JobReport<T>>,
}

impl<T> SchedulerStatus<T> {
    /// Time left until the next scheduled run, as of now.
    pub fn next_run_in(&self) -> Option<Duration> {
        self.next_run.map(|t| t.saturating_duration_since(Instant::now()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobReport<T> {
    Done { result: T },
    Offline { message: String },
    RateLimited { retry_after_secs: Option<u64> },
    Failed { message: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event<T> {
    Started,
    Finished(JobReport<T>),
    /// "Sync now" while a sync runs: not queued, the running one already picks changes up.
    AlreadyRunning,
    Paused,
    Resumed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Command {
    SyncNow,
    Pause,
    Resume,
    SetInterval(Duration),
    Shutdown,
}

/// The shell's side. Dropping every handle stops the scheduler after the current run.
#[derive(Clone)]
pub struct SchedulerHandle<T> {
    commands: mpsc::Sender<Command>,
    status: watch::Receiver<SchedulerStatus<T>>,
    events: broadcast::Sender<Event<T>>,
}

impl<T: Clone + Send + Sync + 'static> SchedulerHandle<T> {
    pub async fn sync_now(&self) {
        let _ = self.commands.send(Command::SyncNow).await;
    }
    pub async fn pause(&self) {
        let _ = self.commands.send(Command::Pause).await;
    }
    pub async fn resume(&self) {
        let _ = self.commands.send(Command::Resume).await;
    }
    pub async fn set_interval(&self, interval: Duration) {
        let _ = self.commands.send(Command::SetInterval(interval)).await;
    }
    /// Stop after the current run (if any) completes; a run is never cut in half.
    pub async fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown).await;
    }
    pub fn status(&self) -> watch::Receiver<SchedulerStatus<T>> {
        self.status.clone()
    }
    pub fn subscribe(&self) -> broadcast::Receiver<Event<T>> {
        self.events.subscribe()
    }
}

/// Start the scheduler on the current tokio runtime.
pub fn spawn<T, F, Fut>(config: SchedulerConfig, job: F) -> (SchedulerHandle<T>, JoinHandle<()>)
where
    T: Clone + Send + Sync + 'static,
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = JobOutcome<T>> + Send + 'static,
{
    let (cmd_tx, cmd_rx) = mpsc::channel(16);
    let initial = SchedulerStatus { phase: Phase::Idle, next_run: None, runs: 0, last: None };
    let (status_tx, status_rx) = watch::channel(initial);
    let (events_tx, _) = broadcast::channel(64);
    let worker = Worker { config, job, commands: cmd_rx, status: status_tx, events: events_tx.clone() };
    let task = tokio::spawn(worker.run());
    (SchedulerHandle { commands: cmd_tx, status: status_rx, events: events_tx }, task)
}

struct Worker<T, F> {
    config: SchedulerConfig,
    job: F,
    commands: mpsc::Receiver<Command>,
    status: watch::Sender<SchedulerStatus<T>>,
    events: broadcast::Sender<Event<T>>,
}

impl<T, F, Fut> Worker<T, F>
where
    T: Clone + Send + Sync + 'static,
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = JobOutcome<T>> + Send + 'static,
{
    async fn run(mut self) {
        let start = Instant::now();
        let mut next = if self.config.run_at_start { start } else { start + self.config.interval };
        let mut paused = false;
        let mut attempt = 0u32;
        self.publish(Phase::Idle, Some(next));
        loop {
            let run_now = tokio::select! {
                // One deadline, no polling: while paused the branch is disabled entirely.
                _ = sleep_until(next), if !paused => true,
                cmd = self.commands.recv() => match cmd {
                    None | Some(Command::Shutdown) => break,
                    Some(Command::SyncNow) => true,
                    Some(Command::Pause) => {
                        paused = true;
                        self.emit(Event::Paused);
                        self.publish(Phase::Paused, None);
                        false
                    }
                    Some(Command::Resume) => {
                        paused = false;
                        self.emit(Event::Resumed);
                        self.publish(phase_for(attempt), Some(next));
                        false
                    }
                    Some(Command::SetInterval(d)) => {
                        self.config.interval = d;
                        if attempt == 0 {
                            next = Instant::now() + d;
                        }
                        self.publish(if paused { Phase::Paused } else { phase_for(attempt) }, Some(next));
                        false
                    }
                },
            };
            if !run_now {
                continue;
            }

            self.emit(Event::Started);
            self.publish(Phase::Running, None);
            let mut shutdown = false;
            let outcome = {
                let fut = (self.job)();
                tokio::pin!(fut);
                // Keep answering commands while the job runs; none of them starts a second run.
                loop {
                    tokio::select! {
                        out = &mut fut => break out,
                        cmd = self.commands.recv(), if !shutdown => match cmd {
                            Some(Command::SyncNow) => self.emit(Event::AlreadyRunning),
                            Some(Command::Pause) => { paused = true; self.emit(Event::Paused); }
                            Some(Command::Resume) => { paused = false; self.emit(Event::Resumed); }
                            Some(Command::SetInterval(d)) => self.config.interval = d,
                            None | Some(Command::Shutdown) => shutdown = true,
                        },
                    }
                }
            };
            let now = Instant::now();
            let report = match outcome {
                JobOutcome::Done(result) => {
                    attempt = 0;
                    next = now + self.config.interval;
                    JobReport::Done { result }
                }
                JobOutcome::Failed(message) => {
                    attempt = 0;
                    next = now + self.config.interval;
                    JobReport::Failed { message }
                }
                JobOutcome::Offline(message) => {
                    attempt += 1;
                    next = now + self.config.backoff(attempt);
                    JobReport::Offline { message }
                }
                JobOutcome::RateLimited { retry_after } => {
                    attempt += 1;
                    // The server's own delay wins (a daily quota resets hours later), else backoff.
                    next = now + retry_after.unwrap_or_else(|| self.config.backoff(attempt));
                    JobReport::RateLimited { retry_after_secs: retry_after.map(|d| d.as_secs()) }
                }
            };
            self.status.send_modify(|s| {
                s.runs += 1;
                s.last = Some(report.clone());
            });
            self.emit(Event::Finished(report));
            if shutdown {
                break;
            }
            self.publish(if paused { Phase::Paused } else { phase_for(attempt) }, Some(next));
        }
        self.publish(Phase::Stopped, None);
    }

    fn emit(&self, e: Event<T>) {
        // No subscriber is fine: the shell may not be listening yet.
        let _ = self.events.send(e);
    }

    fn publish(&self, phase: Phase, next: Option<Instant>) {
        let shows_next = matches!(phase, Phase::Idle | Phase::BackingOff { .. });
        self.status.send_modify(|s| {
            s.phase = phase;
            s.next_run = next.filter(|_| shows_next);
        });
    }
}

fn phase_for(attempt: u32) -> Phase {
    if attempt == 0 { Phase::Idle } else { Phase::BackingOff { attempt } }
}

#[cfg(test)]
#[path = "scheduler_tests.rs"]
mod tests;
