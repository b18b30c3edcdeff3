//! The tray process's end of the link (see `link`): starts the window process, passes on what it
//! says, and keeps it up to date with the sync.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::core_bridge::Core;
use crate::error::IpcError;
use crate::link::{Call, ToTray, ToWindow, decode, encode};
use crate::route::Route;

/// How long a window process started ahead (the tray's menu opened) waits, hidden, for "Open
/// shelves…" or "Settings…" before it is closed again: long enough to read the menu and move to
/// an item, short enough that a look at the menu for "Sync now" does not hold WebKit's memory.
pub const KEPT_AHEAD: Duration = Duration::from_secs(30);

/// The window process, while there is one.
pub struct WindowProcess {
    /// The window binary: `hardcover-sync-window`, beside the tray's.
    program: std::io::Result<PathBuf>,
    /// What every window process is started with besides the route: the tray's own `--config`,
    /// `--data-dir` and `--demo`, so both open the same files.
    args: Vec<OsString>,
    /// Shared with the thread that reads the process, which forgets it when it ends.
    running: Arc<Mutex<Option<Running>>>,
    kept_ahead: Duration,
}

struct Running {
    pid: u32,
    stdin: ChildStdin,
    /// False while a process started ahead waits hidden for the user's click.
    shown: Arc<AtomicBool>,
    /// The last time the menu opened while it waited hidden: it is kept [`KEPT_AHEAD`] from then.
    ahead_since: Instant,
}

/// Who hears from a window process: its messages (with its pid), on a thread of their own until
/// it ends, and why it ended, if it ended with a failure (it could not show its window, or crashed).
pub struct Listeners<M, F> {
    pub on_message: M,
    pub on_failure: F,
}

/// How a window process starts.
enum Start {
    /// Shown at once at `route`; the user asked for it at `asked_at_ms`.
    Shown { route: Route, asked_at_ms: u128 },
    /// Hidden, until an `Open` says where.
    Ahead,
}

impl WindowProcess {
    pub fn new(program: std::io::Result<PathBuf>, args: Vec<OsString>) -> Self {
        Self { program, args, running: Arc::default(), kept_ahead: KEPT_AHEAD }
    }

    /// Show the window at `route`: tell the window process (open, or started ahead), or start one,
    /// whose first message is `first` (the sync state, so the window shows it from its first frame).
    pub fn open<M, F>(&self, route: Route, first: &ToWindow, listeners: Listeners<M, F>) -> Result<(), String>
    where
        M: Fn(u32, ToTray) + Send + 'static,
        F: FnOnce(String) + Send + 'static,
    {
        let asked_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let mut running = self.lock();
        if let Some(r) = running.as_mut() {
            let open = ToWindow::Open { route, asked_at_ms: u64::try_from(asked_at_ms).ok() };
            match r.stdin.write_all(encode(&open).as_bytes()) {
                Ok(()) => {
                    r.shown.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                // It is on its way out (window just closed): start a new one.
                Err(e) => tracing::info!(pid = r.pid, "the window process is gone ({e}); starting another"),
            }
        }
        self.start(&mut running, Start::Shown { route, asked_at_ms }, first, listeners).map(|_| ())
    }

    /// Start the window process hidden, if there is none, because the user is likely to ask for
    /// it: the tray's menu is opening. Starting a process, GTK and WebKit, and loading the page
    /// take longer than the 300 ms a click may wait for its window; done while the user moves to
    /// "Open shelves…", the click only shows what is ready. Closed again after [`KEPT_AHEAD`] if
    /// nobody asked for it.
    pub fn start_ahead<M, F>(&self, first: &ToWindow, listeners: Listeners<M, F>) -> Result<(), String>
    where
        M: Fn(u32, ToTray) + Send + 'static,
        F: FnOnce(String) + Send + 'static,
    {
        let mut running = self.lock();
        if let Some(r) = running.as_mut() {
            // The menu opened again: the one waiting hidden waits longer.
            r.ahead_since = Instant::now();
            return Ok(());
        }
        let pid = self.start(&mut running, Start::Ahead, first, listeners)?;
        drop(running);
        let running = Arc::clone(&self.running);
        let kept_ahead = self.kept_ahead;
        let spawned = std::thread::Builder::new().name("window-ahead".into()).spawn(move || {
            let mut wait = kept_ahead;
            loop {
                std::thread::sleep(wait);
                let mut running = running.lock().unwrap_or_else(|p| p.into_inner());
                let Some(r) = running.as_ref().filter(|r| r.pid == pid && !r.shown.load(Ordering::Relaxed)) else {
                    return;
                };
                let left = kept_ahead.saturating_sub(r.ahead_since.elapsed());
                if left.is_zero() {
                    tracing::info!(pid, "the window started ahead was not asked for; closing it");
                    // Its link's end: the window process reads end-of-file and ends.
                    *running = None;
                    return;
                }
                wait = left;
            }
        });
        spawned.map(|_| ()).map_err(|e| format!("cannot time the window started ahead: {e}"))
    }

    fn lock(&self) -> MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Start a window process as `start` says and listen to it; its pid.
    fn start<M, F>(
        &self,
        running: &mut Option<Running>,
        start: Start,
        first: &ToWindow,
        Listeners { on_message, on_failure }: Listeners<M, F>,
    ) -> Result<u32, String>
    where
        M: Fn(u32, ToTray) + Send + 'static,
        F: FnOnce(String) + Send + 'static,
    {
        let program = self.program.as_ref().map_err(|e| format!("cannot open the window: {e}"))?;
        let mut command = Command::new(program);
        match &start {
            Start::Shown { route, asked_at_ms } => {
                command.args(["--route", route.name()]).args(["--asked-at-ms", &asked_at_ms.to_string()])
            }
            Start::Ahead => command.arg("--ahead"),
        };
        let mut child = command
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Its log lines go where ours go (and to the same log file).
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the window process {}: {e}", program.display()))?;
        let pid = child.id();
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err("the window process has no pipes".into());
        };
        match &start {
            Start::Shown { route, .. } => tracing::info!(pid, "window process started at {}", route.fragment()),
            Start::Ahead => tracing::info!(pid, "window process started ahead, hidden"),
        }
        let shown = Arc::new(AtomicBool::new(matches!(start, Start::Shown { .. })));
        let mut r = Running { pid, stdin, shown: Arc::clone(&shown), ahead_since: Instant::now() };
        let _ = r.stdin.write_all(encode(first).as_bytes());
        *running = Some(r);

        let running = Arc::clone(&self.running);
        let spawned = std::thread::Builder::new().name("window-link".into()).spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match decode::<ToTray>(&line) {
                    Some(Ok(msg)) => on_message(pid, msg),
                    Some(Err(e)) => tracing::error!("{e}"),
                    None => {}
                }
            }
            match child.wait() {
                Ok(status) if status.success() => tracing::info!(pid, "window process ended"),
                Ok(status) => {
                    tracing::warn!(pid, "the window process stopped with a failure ({status})");
                    // One started ahead that nobody asked for failed unseen: the user hears of it
                    // when they ask (the next one fails the same way), not while looking at the menu.
                    if shown.load(Ordering::Relaxed) {
                        on_failure(format!("Its process stopped with a failure ({status})."));
                    }
                }
                Err(e) => tracing::warn!(pid, "cannot tell how the window process ended: {e}"),
            }
            // Forget it, unless a newer one took its place meanwhile.
            let mut running = running.lock().unwrap_or_else(|p| p.into_inner());
            if running.as_ref().is_some_and(|r| r.pid == pid) {
                *running = None;
            }
        });
        spawned.map(|_| pid).map_err(|e| format!("cannot listen to the window process: {e}"))
    }

    /// The window process `pid` said its window is closing: forget it now, so that an open asked
    /// for in the moment before it ends starts a new one instead of telling one on its way out.
    pub fn closing(&self, pid: u32) {
        let mut running = self.lock();
        if running.as_ref().is_some_and(|r| r.pid == pid) {
            *running = None;
        }
    }

    /// Pass `msg` to the window process, if there is one (no window, nothing to tell).
    pub fn send(&self, msg: &ToWindow) {
        let mut running = self.lock();
        if let Some(r) = running.as_mut()
            && let Err(e) = r.stdin.write_all(encode(msg).as_bytes())
        {
            tracing::debug!(pid = r.pid, "the window process did not take a message: {e}");
        }
    }
}

/// The tray's answer to a call from the window process (what the window's command returns).
pub async fn answer(core: &Core, call: Call) -> Result<serde_json::Value, IpcError> {
    let value = match call {
        Call::SyncNow => serde_json::to_value(core.sync_now().await?),
        Call::SetPaused { paused } => serde_json::to_value(core.set_paused(paused)),
    };
    value.map_err(|e| IpcError::internal(e.to_string()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::mpsc::{Receiver, channel};

    fn listeners(failures: std::sync::mpsc::Sender<String>) -> Listeners<impl Fn(u32, ToTray), impl FnOnce(String)> {
        Listeners { on_message: |_, _| {}, on_failure: move |why| failures.send(why).unwrap() }
    }

    fn opened(program: &str) -> (Result<(), String>, Receiver<String>) {
        let window = WindowProcess::new(Ok(PathBuf::from(program)), Vec::new());
        let (tx, rx) = channel();
        let first = ToWindow::Open { route: Route::Shelves, asked_at_ms: None };
        let result = window.open(Route::Shelves, &first, listeners(tx));
        (result, rx)
    }

    #[test]
    fn a_window_process_that_fails_at_once_is_reported_not_ignored() {
        // `false` stands for a window that cannot show itself (no display, a crash at start).
        let (started, failures) = opened("false");
        assert!(started.is_ok(), "the process itself starts: {started:?}");
        let why = failures.recv_timeout(Duration::from_secs(10)).expect("the failure must be reported");
        assert!(why.contains("stopped with a failure"), "the report must say what happened: {why}");
    }

    #[test]
    fn a_window_process_that_ends_well_is_not_a_failure() {
        let (started, failures) = opened("true");
        assert!(started.is_ok(), "{started:?}");
        assert!(
            failures.recv_timeout(Duration::from_secs(10)).is_err(),
            "a window that closes normally must not be reported as a failure"
        );
    }

    /// A stand-in window process: writes its arguments, then each message it reads, to `out`,
    /// and "ended" when its link closes.
    fn recording_window(dir: &std::path::Path) -> (PathBuf, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let out = dir.join("window.out");
        let program = dir.join("window.sh");
        let script = format!(
            "#!/bin/sh\nexec 2>/dev/null\n[ -n \"$PROBE\" ] && exit 0\necho \"args $*\" >>'{0}'\ncat >>'{0}'\necho ended >>'{0}'\n",
            out.display()
        );
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        // A test thread that forks while this one writes the script holds it open for writing
        // until its child execs, and running it then fails with "Text file busy": run it once
        // until it can be, before the real starts.
        for _ in 0..100 {
            match Command::new(&program).env("PROBE", "1").status() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("the stand-in window cannot run: {e}"),
                Ok(_) => break,
            }
        }
        (program, out)
    }

    /// A tray's `WindowProcess` over the stand-in window, keeping a window started ahead `kept`.
    struct StandIn {
        window: WindowProcess,
        out: PathBuf,
        failures: std::sync::mpsc::Sender<String>,
        _dir: tempfile::TempDir,
    }

    impl StandIn {
        fn new(kept: Duration) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let (program, out) = recording_window(dir.path());
            let mut window = WindowProcess::new(Ok(program), Vec::new());
            window.kept_ahead = kept;
            Self { window, out, failures: channel().0, _dir: dir }
        }

        fn start_ahead(&self) {
            self.window.start_ahead(&ToWindow::Reload, listeners(self.failures.clone())).unwrap();
        }

        fn open(&self) {
            self.window.open(Route::Shelves, &ToWindow::Reload, listeners(self.failures.clone())).unwrap();
        }

        fn read(&self) -> String {
            std::fs::read_to_string(&self.out).unwrap_or_default()
        }
    }

    fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(std::time::Instant::now() < until, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_window_started_ahead_is_the_one_shown_on_the_click_and_is_started_once() {
        let dir = tempfile::tempdir().unwrap();
        let (program, out) = recording_window(dir.path());
        let window = WindowProcess::new(Ok(program), vec!["--demo".into()]);
        let first = ToWindow::Reload;
        let (tx, failures) = channel();
        window.start_ahead(&first, listeners(tx.clone())).unwrap();
        // The menu opened again before the click: still one process.
        window.start_ahead(&first, listeners(tx.clone())).unwrap();
        window.open(Route::Settings, &first, listeners(tx)).unwrap();
        let read = || std::fs::read_to_string(&out).unwrap_or_default();
        wait_until("the window process to read the Open", || read().contains("open"));
        let text = read();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.iter().filter(|l| l.starts_with("args")).count(), 1, "one process, started ahead: {text}");
        assert_eq!(lines[0], "args --ahead --demo", "started hidden, with the tray's own flags: {text}");
        assert!(lines[1].contains(r#""kind":"reload""#), "its first message is the one it was started with: {text}");
        let open: ToWindow = decode(&format!("{}\n", lines[2])).expect("ours").expect("readable");
        let ToWindow::Open { route, asked_at_ms: Some(asked) } = open else {
            panic!("the click must say Open: {open:?}")
        };
        assert_eq!(route, Route::Settings, "it is shown where the click asked");
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        assert!(asked <= now && now - asked < 10_000, "the click's moment goes along, for the time to first rows");
        drop(window);
        assert!(failures.recv_timeout(Duration::from_millis(200)).is_err(), "nothing failed");
    }

    #[test]
    fn a_window_started_ahead_and_not_asked_for_is_closed_and_the_next_click_starts_another() {
        let w = StandIn::new(Duration::from_millis(100));
        w.start_ahead();
        wait_until("the unasked window to be closed", || w.read().contains("ended"));
        wait_until("the tray to forget it", || w.window.lock().is_none());
        w.open();
        wait_until("a new window process", || w.read().matches("args").count() == 2);
        assert!(w.read().contains("args --route shelves --asked-at-ms"), "the click starts one shown: {}", w.read());
    }

    #[test]
    fn a_window_started_ahead_waits_longer_when_the_menu_opens_again() {
        // Wide margins: the machine may be busy with other tests.
        let w = StandIn::new(Duration::from_millis(2000));
        w.start_ahead();
        std::thread::sleep(Duration::from_millis(1500));
        w.start_ahead();
        std::thread::sleep(Duration::from_millis(1000));
        assert!(!w.read().contains("ended"), "the menu opened again 1 s ago: the hidden window must still wait");
        wait_until("the window to be closed once the menu stayed shut", || w.read().contains("ended"));
        assert_eq!(w.read().matches("args").count(), 1, "one process all along: {}", w.read());
    }

    #[test]
    fn a_window_shown_is_not_closed_when_its_time_ahead_runs_out() {
        let w = StandIn::new(Duration::from_millis(100));
        w.start_ahead();
        w.open();
        std::thread::sleep(Duration::from_millis(400));
        assert!(!w.read().contains("ended"), "a window the user asked for stays open");
    }

    #[test]
    fn an_open_right_after_the_window_said_it_is_closing_starts_another() {
        let w = StandIn::new(KEPT_AHEAD);
        w.open();
        let pid = w.window.lock().as_ref().map(|r| r.pid).expect("running");
        w.window.closing(pid + 1);
        assert!(w.window.lock().is_some(), "another process's closing does not forget this one");
        w.window.closing(pid);
        w.open();
        wait_until("a second window process", || w.read().matches("args").count() == 2);
        assert!(!w.read().contains(r#""kind":"open""#), "the closing one must not be told to open: {}", w.read());
    }

    #[test]
    fn a_window_started_ahead_that_fails_unseen_is_not_reported() {
        let window = WindowProcess::new(Ok(PathBuf::from("false")), Vec::new());
        let (tx, failures) = channel();
        window.start_ahead(&ToWindow::Reload, listeners(tx)).unwrap();
        assert!(
            failures.recv_timeout(Duration::from_secs(2)).is_err(),
            "nobody asked for that window yet: its failure is told when they do, not while they look at the menu"
        );
    }
}
