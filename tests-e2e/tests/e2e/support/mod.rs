//! Helpers for driving the built app headless: its process, its tray menu over D-Bus
//! (com.canonical.dbusmenu, via `busctl --json`), its X windows and screenshots.
//!
//! Everything here expects what `scripts/e2e.sh` sets up: Xvfb, a private session bus, tauri-driver,
//! and the environment variables below.

#![allow(dead_code)]

pub mod desktop;
pub mod notifications;
pub mod ui;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Env {
    /// The app binary under test.
    pub app: PathBuf,
    /// Where screenshots and app logs go (`test-output/`).
    pub out: PathBuf,
    /// tauri-driver's WebDriver endpoint.
    pub driver_url: String,
}

/// The e2e environment. These tests need a display, a session bus and a built binary: run them
/// through `scripts/e2e.sh`, which provides all three. Run any other way, they fail saying so
/// rather than silently passing.
pub fn env() -> Env {
    let var = |name: &str| {
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} is not set: run the end-to-end tests with scripts/e2e.sh"))
    };
    let out = PathBuf::from(var("E2E_OUTPUT_DIR"));
    std::fs::create_dir_all(&out).expect("create the e2e output dir");
    Env { app: PathBuf::from(var("E2E_APP_BINARY")), out, driver_url: var("E2E_WEBDRIVER_URL") }
}

/// The last `n` warnings and errors the apps under test logged (scripts/e2e.sh points every app's
/// log folder at one place through `HARDCOVER_SYNC_LOG_DIR`), for a failure message.
pub fn recent_app_warnings(n: usize) -> String {
    let Some(dir) = std::env::var_os("HARDCOVER_SYNC_LOG_DIR") else {
        return "(HARDCOVER_SYNC_LOG_DIR is not set: run through scripts/e2e.sh)".into();
    };
    let newest = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    let Some((_, file)) = newest else { return format!("(no log file in {})", Path::new(&dir).display()) };
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(" WARN ") || l.contains(" ERROR ")).collect();
    if lines.is_empty() {
        return "(none)".into();
    }
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Poll `f` until it gives a value, or panic naming what never happened.
pub fn wait_for<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if start.elapsed() > timeout {
            panic!(
                "timed out after {timeout:?} waiting for {what}\n--- the app's latest warnings:\n{}",
                recent_app_warnings(30)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Arguments that give one app instance its own config and data (never the user's).
pub fn isolated_args(dir: &Path) -> Vec<String> {
    vec![
        "--config".into(),
        dir.join("config.yaml").display().to_string(),
        "--data-dir".into(),
        dir.join("data").display().to_string(),
    ]
}

/// An app instance started by the test. Dropping it kills it.
pub struct AppProcess {
    child: Child,
    pub dir: tempfile::TempDir,
}

impl AppProcess {
    pub fn start(env: &Env, name: &str, extra: &[&str]) -> Self {
        let dir = tempfile::Builder::new().prefix("hcs-e2e-").tempdir().unwrap();
        Self::start_in(env, name, dir, extra, &[])
    }

    /// Start on `dir` (which may already hold a config.yaml), with extra environment variables.
    pub fn start_in(env: &Env, name: &str, dir: tempfile::TempDir, extra: &[&str], vars: &[(&str, &Path)]) -> Self {
        let log = std::fs::File::create(env.out.join(format!("{name}-app.log"))).unwrap();
        let child = Command::new(&env.app)
            .args(isolated_args(dir.path()))
            .args(extra)
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", env.app.display()));
        Self { child, dir }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        wait_for(timeout, "the app to exit", || self.child.try_wait().unwrap())
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pids of running processes whose command line contains `needle` (to find the instance
/// tauri-driver started).
pub fn pids_with_arg(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&cmdline).split('\0').any(|a| a.contains(needle))
        {
            out.push(pid);
        }
    }
    out
}

pub fn process_alive(pid: u32) -> bool {
    // A zombie has exited: only count it alive while it is not in state Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')).unwrap_or(false))
}

fn busctl(args: &[&str]) -> Result<String, String> {
    let out = Command::new("busctl").arg("--user").arg("--no-pager").args(args).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The tray menu an app instance exports over D-Bus (its StatusNotifierItem's `/MenuBar`, served
/// even with no panel to show it).
pub struct TrayMenu {
    bus_name: String,
    path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub id: i32,
    /// `None` for separators.
    pub label: Option<String>,
    pub enabled: bool,
}

impl TrayMenu {
    /// Find the menu of the process `pid`: among its bus connections, the one exporting a
    /// StatusNotifierItem and its menu at `/MenuBar`.
    pub fn of_pid(pid: u32, timeout: Duration) -> Self {
        wait_for(timeout, &format!("the tray menu of pid {pid} on D-Bus"), || {
            let names: Value = serde_json::from_str(&busctl(&["list", "--json=short"]).ok()?).ok()?;
            for n in names.as_array()? {
                if n["pid"].as_u64() != Some(pid as u64) {
                    continue;
                }
                let name = n["name"].as_str()?;
                if !name.starts_with(':') {
                    continue;
                }
                // A connection that does not answer introspection (there is one) would hold each look up
                // for the default 25 s.
                let Ok(tree) = busctl(&["--timeout=2", "tree", "--list", name]) else { continue };
                let paths: Vec<&str> = tree.lines().map(str::trim).collect();
                if paths.contains(&"/StatusNotifierItem") && paths.contains(&"/MenuBar") {
                    return Some(Self { bus_name: name.to_owned(), path: "/MenuBar".to_owned() });
                }
            }
            None
        })
    }

    /// The top-level items, in order.
    pub fn items(&self) -> Vec<MenuItem> {
        let out = busctl(&[
            "call",
            "--json=short",
            &self.bus_name,
            &self.path,
            "com.canonical.dbusmenu",
            "GetLayout",
            "--",
            "iias",
            "0",
            "-1",
            "2",
            "label",
            "enabled",
        ])
        .unwrap_or_else(|e| panic!("GetLayout on the tray menu failed (is the app still running?): {e}"));
        let v: Value = serde_json::from_str(&out).expect("busctl --json output");
        // (u revision, (i id, a{sv} props, av children))
        let children = v["data"][1][2].as_array().expect("menu root has children");
        children
            .iter()
            .map(|c| {
                let d = &c["data"];
                MenuItem {
                    id: d[0].as_i64().expect("item id") as i32,
                    label: d[1]["label"]["data"].as_str().map(str::to_owned),
                    // dbusmenu omits `enabled` when it is the default (true).
                    enabled: d[1]["enabled"]["data"].as_bool().unwrap_or(true),
                }
            })
            .collect()
    }

    pub fn labels(&self) -> Vec<String> {
        self.items().into_iter().filter_map(|i| i.label).collect()
    }

    pub fn click(&self, label: &str) {
        let items = self.items();
        let item = items
            .iter()
            .find(|i| i.label.as_deref() == Some(label))
            .unwrap_or_else(|| panic!("no tray menu item {label:?} in {items:?}"));
        let id = item.id.to_string();
        busctl(&[
            "call",
            &self.bus_name,
            &self.path,
            "com.canonical.dbusmenu",
            "Event",
            "--",
            "isvu",
            &id,
            "clicked",
            "i",
            "0",
            "0",
        ])
        .unwrap_or_else(|e| panic!("clicking {label:?} failed: {e}"));
    }

    /// What a panel says as it opens the menu (GNOME's AppIndicator extension and KDE do, on every
    /// open): `AboutToShow` of the root.
    pub fn about_to_show(&self) {
        busctl(&["call", &self.bus_name, &self.path, "com.canonical.dbusmenu", "AboutToShow", "--", "i", "0"])
            .unwrap_or_else(|e| panic!("AboutToShow on the tray menu failed: {e}"));
    }

    /// Wait until some item's label satisfies `pred`; returns that label.
    pub fn wait_for_label(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        wait_for(Duration::from_secs(15), what, || self.labels().into_iter().find(|l| pred(l)))
    }
}

/// Titles of the X top-level windows that are mapped (viewable).
pub fn window_titles() -> Vec<String> {
    let out = Command::new("xwininfo").args(["-root", "-children"]).output().expect("xwininfo (x11-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut titles = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(id) = line.split_whitespace().next().filter(|w| w.starts_with("0x")) else { continue };
        let Some(title) = line.split('"').nth(1) else { continue };
        let info = Command::new("xwininfo").args(["-id", id]).output().expect("xwininfo");
        if String::from_utf8_lossy(&info.stdout).contains("Map State: IsViewable") {
            titles.push(title.to_owned());
        }
    }
    titles
}

/// Screenshot of the whole (virtual) screen into the output dir.
pub fn screenshot(env: &Env, name: &str) -> PathBuf {
    let path = env.out.join(format!("{name}.png"));
    let status = Command::new("import").args(["-window", "root"]).arg(&path).status().expect("import (imagemagick)");
    assert!(status.success(), "screenshot {name} failed");
    path
}

/// Ask the window titled `title` to close the way a window manager's close button does: a
/// WM_DELETE_WINDOW client message (there is no window manager under Xvfb to click).
pub fn close_window_like_a_user(title: &str) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};

    let (conn, screen) = x11rb::connect(None).expect("connect to the X display");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &str| conn.intern_atom(false, name.as_bytes()).unwrap().reply().unwrap().atom;
    let (protocols, delete) = (atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"));
    let children = conn.query_tree(root).unwrap().reply().unwrap().children;
    // Every top-level window with that title: a closed window's X window can linger under the
    // same title, and which of them GTK answers for is not ours to guess.
    let windows: Vec<_> = children
        .into_iter()
        .filter(|&w| {
            conn.get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 1024)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|p| p.value == title.as_bytes())
        })
        .collect();
    assert!(!windows.is_empty(), "no top-level window titled {title:?}");
    for window in windows {
        let event = ClientMessageEvent::new(32, window, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
        // Checked, i.e. a round trip, so the X server has carried out the request before this
        // connection closes. Xvfb closes a client that hung up without reading what it still had
        // to read (strace: `EPOLLIN|EPOLLHUP`, then `close`, no `recvmsg`): a request sent just
        // before hanging up is lost whenever the server wakes up late, as it does under CPU load.
        conn.send_event(false, window, EventMask::NO_EVENT, event)
            .expect("send WM_DELETE_WINDOW")
            .check()
            .expect("the X server must accept the WM_DELETE_WINDOW message");
    }
}

/// Context switches so far of each thread of `pid` (by thread id): each time it woke up (or was
/// preempted).
pub fn context_switches(pid: u32) -> std::collections::HashMap<String, u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("the process must be running");
    tasks
        .flatten()
        .filter_map(|t| {
            let status = std::fs::read_to_string(t.path().join("status")).ok()?;
            let switches = status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
            Some((t.file_name().to_string_lossy().into_owned(), switches))
        })
        .collect()
}

/// How often the threads of `pid` woke up during `window` (threads that ended meanwhile are not
/// counted; threads that started count from 0).
pub fn wake_ups(pid: u32, window: Duration) -> u64 {
    let before = context_switches(pid);
    std::thread::sleep(window);
    context_switches(pid).into_iter().map(|(tid, n)| n.saturating_sub(before.get(&tid).copied().unwrap_or(0))).sum()
}

/// The shared libraries `pid` has mapped whose file name contains `needle`.
pub fn mapped_libraries(pid: u32, needle: &str) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("the process's memory map");
    let mut libs: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|path| path.rsplit('/').next().is_some_and(|f| f.contains(needle)))
        .map(str::to_owned)
        .collect();
    libs.dedup();
    libs
}

/// The program `pid` runs (its first argument), e.g. `…/hardcover-sync-window`.
pub fn program_of(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(cmdline.split(|&b| b == 0).next().unwrap_or_default()).into_owned()
}

/// The processes `pid` started that are still running (not zombies).
pub fn living_children(pid: u32) -> Vec<u32> {
    children(pid).into_iter().filter(|&c| process_alive(c)).collect()
}

fn children(pid: u32) -> Vec<u32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    std::fs::read_to_string(path).unwrap_or_default().split_whitespace().filter_map(|p| p.parse().ok()).collect()
}

/// Close the window titled `title` as a window manager does, and wait until it is gone. One
/// request, no second try: a window that ignores a close request it was sent is a bug to see.
pub fn close_window_and_wait(title: &str, what: &str) {
    close_window_like_a_user(title);
    wait_for(Duration::from_secs(20), what, || (!window_titles().iter().any(|t| t == title)).then_some(()));
}

/// Resident memory (VmRSS, KiB) of `pid` and every process it started, summed.
pub fn rss_kib_of_tree(pid: u32) -> u64 {
    let rss = |p: u32| {
        std::fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut total = rss(pid);
    for c in children(pid) {
        total += rss_kib_of_tree(c);
    }
    total
}
