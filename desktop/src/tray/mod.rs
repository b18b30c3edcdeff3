//! The tray process: what the user starts (`hardcover-sync-app`) and what runs all day. The tray
//! icon and menu, the scheduler and every sync run, notifications, one instance per session, and
//! the shelf browser window, started as a process of its own (`hardcover-sync-window`, see
//! `link`) when asked for.
//!
//! Why without Tauri: Tauri's runtime links WebKitGTK, and a process that links it pays for it
//! whether or not it ever shows a web page (the libraries' relocated data, JavaScriptCore, the
//! speech voices WebKit links). The tray shows no web page, so it is a plain main loop
//! (`platform`) with the OS's own tray (`menu`: a StatusNotifierItem over D-Bus on Linux, with no
//! GUI toolkit at all; tray-icon on Windows), and only the window process loads WebKit.

mod menu;
mod platform;
mod single_instance;
pub mod window_process;

use std::ffi::OsString;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use hardcover_sync::auth::system_opener;
use hardcover_sync::paths::AppPaths;
use hardcover_sync::sync::scheduler::{self, SchedulerConfig};

use crate::args::LaunchArgs;
use crate::core_bridge::{Core, CoreEvent, EventSink};
use crate::demo::{self, Demo};
use crate::devices;
use crate::link::{ToTray, ToWindow};
use crate::notify::{self, Notice};
use crate::route::Route;
use crate::system::{AutostartSwitch, WINDOW_BINARY, login_item, sibling_binary};
use hardcover_sync::app::status::ConnectResult;
use hardcover_sync::sync::summary::ItemResult;
use window_process::{Listeners, WindowProcess};

pub use menu::{IconState, status_lines};

/// Everything the tray's menu, its core events and the window's calls reach.
pub struct Tray {
    pub core: Core,
    autostart: Arc<dyn AutostartSwitch>,
    window: WindowProcess,
    rt: tokio::runtime::Handle,
    /// The demo's servers and folder, dropped on Quit (which removes the folder).
    demo: Mutex<Option<Demo>>,
    /// Itself, for the callbacks that outlive a borrow (the window's messages, notifications).
    me: Weak<Tray>,
}

pub fn run() {
    #[cfg(target_os = "linux")]
    restart_lean();
    let args = match LaunchArgs::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let rt = match async_runtime() {
        Ok(rt) => rt,
        Err(e) => fail(&format!("cannot start the async runtime: {e}")),
    };
    let (demo, paths) = if args.demo {
        match demo::prepare(args.demo_books, &rt) {
            Ok((d, p)) => (Some(d), p),
            Err(e) => fail(&format!("cannot set up demo mode: {e}")),
        }
    } else {
        match AppPaths::resolve(args.config.as_deref(), args.data_dir.as_deref()) {
            Ok(p) => (None, p),
            Err(e) => fail(&e.to_string()),
        }
    };
    crate::logs::init(&paths.log_dir);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = args.demo,
        autostart = args.autostart,
        "starting; logs in {}",
        crate::logs::log_dir(&paths.log_dir).display()
    );

    // Filled once the tray exists: a second launch or a core event that comes earlier finds it
    // empty and is dropped (the window is opened at the end of start-up if asked for).
    let slot: Arc<OnceLock<Weak<Tray>>> = Arc::default();
    let get = {
        let slot = Arc::clone(&slot);
        move || slot.get().and_then(Weak::upgrade)
    };
    // Before anything else starts: a second launch hands over and exits here. The demo is left
    // out so it can run beside a real instance.
    let _instance = if args.demo {
        None
    } else {
        let get = get.clone();
        let on_request: single_instance::OnRequest = Box::new(move |request| match request {
            single_instance::Request::Activate => {
                if let Some(tray) = get() {
                    tracing::info!("a second launch: opening the window");
                    tray.open_window(Route::Shelves);
                }
            }
            single_instance::Request::Quit => {
                tracing::info!("asked to quit by a later launch");
                platform::on_main_thread(platform::quit);
            }
        });
        let request = if args.quit { single_instance::Request::Quit } else { single_instance::Request::Activate };
        // Inside the runtime: the Windows pipe is a tokio object and its server a tokio task.
        match rt.block_on(async { single_instance::claim(request, on_request).await }) {
            single_instance::Claim::First(held) => Some(held),
            single_instance::Claim::Second => {
                tracing::info!("Hardcover Sync is already running: handed it the request ({})", request.word());
                std::process::exit(0);
            }
            single_instance::Claim::Unavailable(why) => {
                tracing::warn!("no session bus, so a second launch cannot find this one: {why}");
                None
            }
        }
    };
    if args.quit {
        // Nothing to quit: say so and leave, rather than start a tray nobody asked for.
        println!("Hardcover Sync is not running");
        std::process::exit(0);
    }
    if let Err(e) = platform::init() {
        fail(&format!("cannot start the tray: {e}"));
    }

    let events: EventSink = {
        let get = get.clone();
        Arc::new(move |event| {
            if let Some(tray) = get() {
                tray.on_core_event(event);
            }
        })
    };
    let window_args = window_process_args(&args, &paths, demo.is_some());
    let autostart: Arc<dyn AutostartSwitch> = login_item();
    let tray = Arc::new_cyclic(|me| Tray {
        core: Core::open(paths, args.demo, events),
        autostart,
        window: WindowProcess::new(sibling_binary(WINDOW_BINARY), window_args),
        rt: rt.clone(),
        demo: Mutex::new(demo),
        me: me.clone(),
    });
    let _ = slot.set(Arc::downgrade(&tray));
    if let Err(e) = menu::build(&tray) {
        fail(&e);
    }

    // Who is connected, read from the token store (no request): the tray shows it as soon as it
    // is known, through the StatusChanged event. Then the periodic sync starts.
    let t = Arc::clone(&tray);
    rt.spawn(async move {
        t.core.refresh_connection().await;
        let config = SchedulerConfig::new(t.core.interval());
        let job = Arc::downgrade(&t);
        let (scheduler, _task) = scheduler::spawn(config, move || {
            let tray = job.upgrade();
            async move {
                match tray {
                    Some(tray) => tray.core.scheduled_run().await,
                    None => scheduler::JobOutcome::Done(()),
                }
            }
        });
        t.core.attach_scheduler(scheduler);
    });
    watch_devices(&tray, &rt);
    if args.open_window {
        tray.open_window(Route::Shelves);
    }

    platform::run();
    tracing::info!("quitting");
    menu::close(&tray);
    // The open window's process reads end-of-file on its link when we exit, and closes.
    if let Some(demo) = tray.demo.lock().unwrap_or_else(|p| p.into_inner()).take() {
        demo.stop();
    }
    std::process::exit(0);
}

/// Look for e-readers being plugged in, for as long as the tray runs (see `devices`): after every
/// change of the mount table, and in demo mode every few seconds in the virtual drive's folder.
fn watch_devices(tray: &Arc<Tray>, rt: &tokio::runtime::Handle) {
    let demo_media = tray.demo.lock().unwrap_or_else(|p| p.into_inner()).as_ref().and_then(Demo::media_dir);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let on_change = tx.clone();
    #[cfg(target_os = "linux")]
    if let Err(e) = devices::watch_mount_table(move || {
        let _ = on_change.send(());
    }) {
        tracing::warn!("cannot watch the mount table ({e}): plugged-in e-readers are not noticed");
    }
    // No mount table to wait on: the drive letters are looked at on a timer.
    #[cfg(not(target_os = "linux"))]
    let _ = on_change;
    if demo_media.is_some() || cfg!(not(target_os = "linux")) {
        rt.spawn(async move {
            let mut tick = tokio::time::interval(devices::DEMO_POLL_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                if tx.send(()).is_err() {
                    break;
                }
            }
        });
    }
    let weak = Arc::downgrade(tray);
    rt.spawn(async move {
        let mut watcher = devices::Watcher::new(demo_media.into_iter().collect());
        while rx.recv().await.is_some() {
            let Some(tray) = weak.upgrade() else { break };
            let change = watcher.poll();
            if change != devices::Change::default() {
                tray.on_devices(change).await;
            }
        }
    });
}

impl Tray {
    fn me(&self) -> Option<Arc<Tray>> {
        self.me.upgrade()
    }

    /// Show the shelf browser at `route`, starting its process if there is none.
    pub fn open_window(&self, route: Route) {
        let first = ToWindow::Sync { sync: self.core.sync_status() };
        if let Err(e) = self.window.open(route, &first, self.window_listeners()) {
            tracing::error!("{e}");
            self.window_failed(e);
        }
    }

    /// The menu is opening: start the shelf browser hidden, so that "Open shelves…" only has to
    /// show it (`WindowProcess::start_ahead`).
    pub fn start_window_ahead(&self) {
        let available = crate::system::memory::available();
        if !crate::system::memory::can_spare_for_ahead(available) {
            tracing::info!(
                available_mib = available.map(|b| b / (1024 * 1024)),
                "too little memory free to start the window ahead"
            );
            return;
        }
        let first = ToWindow::Sync { sync: self.core.sync_status() };
        if let Err(e) = self.window.start_ahead(&first, self.window_listeners()) {
            // Nobody asked for it yet: "Open shelves…" will start one and report what fails.
            tracing::warn!("{e}");
        }
    }

    fn window_listeners(&self) -> Listeners<impl Fn(u32, ToTray) + Send + use<>, impl FnOnce(String) + Send + use<>> {
        let me = self.me.clone();
        let on_message = {
            let me = me.clone();
            move |pid, msg| {
                if let Some(tray) = me.upgrade() {
                    tray.on_window_message(pid, msg);
                }
            }
        };
        let on_failure = move |why: String| {
            if let Some(tray) = me.upgrade() {
                tray.window_failed(why);
            }
        };
        Listeners { on_message, on_failure }
    }

    /// The user clicked for a window and none came: say so, rather than nothing.
    fn window_failed(&self, message: String) {
        notify::send(Notice::WindowFailed { message }, &self.core.config().notifications);
    }

    fn on_window_message(&self, pid: u32, msg: ToTray) {
        let Some(tray) = self.me() else { return };
        match msg {
            ToTray::Call { id, call } => {
                self.rt.spawn(async move {
                    let result = window_process::answer(&tray.core, call).await;
                    tray.window.send(&ToWindow::Reply { id, result });
                });
            }
            ToTray::Reload => {
                self.rt.spawn(async move {
                    tray.core.reload().await;
                    // "Start at login" may have been switched in Settings.
                    if let Ok(on) = tray.autostart.is_enabled() {
                        menu::set_autostart_checked(on);
                    }
                    menu::refresh(&tray);
                });
            }
            ToTray::Closing => self.window.closing(pid),
        }
    }

    /// Core news → the menu, the window (through the link) and notifications.
    fn on_core_event(&self, event: CoreEvent) {
        let Some(tray) = self.me() else { return };
        let prefs = self.core.config().notifications;
        match event {
            CoreEvent::StatusChanged => {
                menu::refresh(&tray);
                self.window.send(&ToWindow::Sync { sync: self.core.sync_status() });
            }
            CoreEvent::SyncProgress(progress) => {
                menu::refresh(&tray);
                self.window.send(&ToWindow::Progress { progress });
            }
            CoreEvent::SyncFinished { summary, finished_titles } => {
                self.window.send(&ToWindow::SyncFinished { summary });
                if !finished_titles.is_empty() {
                    notify::send(Notice::Finished { titles: finished_titles }, &prefs);
                }
            }
            CoreEvent::SyncFailed { message, consecutive } => {
                if consecutive == notify::FAILURES_BEFORE_NOTICE {
                    notify::send(Notice::Failures { count: consecutive, message }, &prefs);
                }
            }
            CoreEvent::SourceStartedFailing { source, message } => {
                notify::send(Notice::SourceFailing { source, message }, &prefs);
            }
            CoreEvent::ReconnectNeeded { reason } => {
                let connect: notify::OnClick = Box::new(move || tray.connect_in_browser());
                notify::send_clickable(Notice::Reconnect { reason }, &prefs, Some(connect));
            }
        }
    }

    /// The browser sign-in, run from the tray itself ("Connect Hardcover…", a click on the
    /// "reconnect" notification); the outcome shows in the menu (status line), as a notification,
    /// and in the window if it is open.
    pub fn connect_in_browser(&self) {
        let Some(tray) = self.me() else { return };
        self.rt.spawn(async move {
            let opener = if tray.core.is_demo() { demo::follow_redirect_opener() } else { system_opener() };
            let result = tray.core.connect_browser(opener).await;
            let outcome = match &result {
                Ok(s) => ConnectResult {
                    ok: true,
                    message: format!("Connected as {}", s.username.as_deref().unwrap_or("your Hardcover account")),
                },
                Err(e) => ConnectResult { ok: false, message: e.message.clone() },
            };
            if result.is_ok() {
                tray.window.send(&ToWindow::Reload);
            }
            tray.window.send(&ToWindow::ConnectResult { result: outcome.clone() });
            let prefs = tray.core.config().notifications;
            notify::send(Notice::Connection { ok: outcome.ok, message: outcome.message }, &prefs);
            if result.is_ok() {
                tray.import_library().await;
            }
        });
    }

    /// Right after connecting: bring the library into the local copy, so the shelves and an
    /// export show it at once instead of an empty shelf until a window's first refresh.
    async fn import_library(&self) {
        let app = match self.core.app() {
            Ok(app) => app,
            Err(e) => return tracing::warn!("cannot import the library after connecting: {}", e.message),
        };
        match app.refresh_library(false).await {
            Ok(report) => {
                tracing::info!(books = report.user_books_fetched, "library imported after connecting");
                self.window.send(&ToWindow::Reload);
            }
            // The window imports it when it opens, and the sync reads Hardcover itself.
            Err(e) => tracing::warn!("cannot import the library after connecting: {e}"),
        }
    }

    fn disconnect(&self) {
        let Some(tray) = self.me() else { return };
        self.rt.spawn(async move {
            match tray.core.disconnect().await {
                Ok(out) => tracing::info!(revoked = out.revoked, "disconnected from the tray menu"),
                Err(e) => tracing::warn!("disconnect: {e}"),
            }
            tray.window.send(&ToWindow::Reload);
        });
    }

    /// Devices plugged in or out: remember them, and for each new one that a source reads, say
    /// how many books it would update (a dry run) and offer to review or sync it. A device the
    /// user chose to always sync is synced at once.
    async fn on_devices(&self, change: devices::Change) {
        let app = match self.core.app() {
            Ok(app) => app,
            Err(e) => {
                tracing::warn!("a device was plugged in, but the app cannot read it: {}", e.message);
                return;
            }
        };
        if let Some(present) = &change.present
            && let Err(e) = app.devices_plugged_only(present)
        {
            tracing::warn!("cannot record the devices plugged in: {e}");
        }
        for m in change.plugged {
            let device = match app.device_plugged(&m) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!("cannot record the device at {}: {e}", m.root.display());
                    continue;
                }
            };
            let sources = app.sources_of_device(&m);
            tracing::info!(device = %m.id, root = %m.root.display(), ?sources, confirmed = device.confirmed, "e-reader plugged in");
            if sources.is_empty() {
                continue;
            }
            if device.confirmed && device.always_sync {
                let _ = self.core.sync_now().await;
                continue;
            }
            let books = match app.sync(true).await {
                Ok(plan) => Some(
                    plan.summary
                        .items
                        .iter()
                        .filter(|i| sources.contains(&i.source) && i.result == ItemResult::Planned)
                        .count(),
                ),
                Err(e) => {
                    tracing::info!("no plan for the device yet: {e}");
                    None
                }
            };
            let Some(tray) = self.me() else { return };
            let first = !device.confirmed;
            let click: notify::OnClick = if first {
                Box::new(move || tray.open_window(Route::Shelves))
            } else {
                Box::new(move || tray.sync_now())
            };
            let prefs = self.core.config().notifications;
            notify::send_clickable(Notice::Device { name: device.name, books, first }, &prefs, Some(click));
        }
    }

    fn sync_now(&self) {
        let Some(tray) = self.me() else { return };
        // The outcome reaches the menu, the window and the notifications as core events.
        self.rt.spawn(async move {
            let _ = tray.core.sync_now().await;
        });
    }
}

/// What the window process is started with, so that it opens the same files as this one: the
/// demo's folder in the demo; otherwise whatever this process was told (unset resolves the same
/// way there, and a relative path too: the child keeps our working directory).
pub fn window_process_args(args: &LaunchArgs, paths: &AppPaths, demo: bool) -> Vec<OsString> {
    if demo {
        return vec![
            "--demo".into(),
            "--config".into(),
            paths.config_file.clone().into(),
            "--data-dir".into(),
            paths.data_dir.clone().into(),
        ];
    }
    let mut out = Vec::new();
    if let Some(c) = &args.config {
        out.extend(["--config".into(), c.clone().into_os_string()]);
    }
    if let Some(d) = &args.data_dir {
        out.extend(["--data-dir".into(), d.clone().into_os_string()]);
    }
    out
}

/// The tray's async work is mostly waiting on the network and the disk; two workers do it (each
/// idle thread costs its stack and a malloc arena, ~0.3 MiB). Not one: a long SQLite-bound step
/// of a sync would hold up the answers to the window's calls.
fn async_runtime() -> std::io::Result<tokio::runtime::Handle> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let handle = rt.handle().clone();
    // Lives as long as the process.
    std::mem::forget(rt);
    Ok(handle)
}

fn fail(msg: &str) -> ! {
    tracing::error!("{msg}");
    eprintln!("Hardcover Sync: {msg}");
    std::process::exit(1);
}

/// Start over (same pid, via exec) with `GDK_GL=disable`, `MALLOC_ARENA_MAX=2` and
/// `TOKIO_WORKER_THREADS=1`, unless the user set `GDK_GL` already (set it to anything, e.g.
/// `GDK_GL=gles`, to keep GDK's OpenGL). The window process inherits them.
///
/// Why: GDK sets up OpenGL for hidden windows, which maps the GL driver; with Mesa's software
/// driver (no GPU, Xvfb, many VMs) that is libLLVM, ~44 MiB of RSS. The window still renders
/// without GDK's GL (WebKit falls back to copying frames), which a shelf browser can afford.
/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), each keeping
/// freed memory; two are plenty. zbus's D-Bus connections (single instance, notifications) run on
/// a tokio runtime of their own with a worker per core by default: one does for a few messages
/// (our own runtime sets its count itself, so the variable reaches only zbus's). All three are
/// read at start, and setting them from inside the process needs `unsafe` (`std::env::set_var`),
/// which this workspace forbids; an exec keeps the pid, so the session's view of the app does
/// not change.
#[cfg(target_os = "linux")]
fn restart_lean() {
    use std::os::unix::process::CommandExt;
    // Under WebDriver (tauri-driver sets TAURI_WEBVIEW_AUTOMATION) the session was never
    // established after the restart: keep the process as launched there.
    if std::env::var_os("GDK_GL").is_some() || std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut cmd = std::process::Command::new(exe);
    cmd.args(std::env::args_os().skip(1)).env("GDK_GL", "disable");
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        cmd.env("MALLOC_ARENA_MAX", "2");
    }
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        cmd.env("TOKIO_WORKER_THREADS", "1");
    }
    let err = cmd.exec();
    eprintln!("cannot restart with GDK_GL=disable ({err}); going on with OpenGL");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn the_window_process_opens_the_tray_s_files() {
        let dir = tempfile::tempdir().unwrap();
        // The demo's paths are everything under its temp folder: the window must resolve the same.
        let paths = AppPaths::under(dir.path().join("config.yaml"), dir.path());
        let demo = LaunchArgs { demo: true, ..LaunchArgs::default() };
        let parsed = LaunchArgs::parse(strings(window_process_args(&demo, &paths, true))).unwrap();
        assert!(parsed.demo, "the window must know it is the demo (its sign-in follows the demo's redirect)");
        let resolved = AppPaths::resolve(parsed.config.as_deref(), parsed.data_dir.as_deref()).unwrap();
        assert_eq!(resolved, paths, "the window must open the demo's config, database and logs");

        let told = LaunchArgs { config: Some("cfg.yaml".into()), ..LaunchArgs::default() };
        let parsed = LaunchArgs::parse(strings(window_process_args(&told, &paths, false))).unwrap();
        assert_eq!(
            (parsed.config, parsed.data_dir, parsed.demo),
            (Some("cfg.yaml".into()), None, false),
            "outside the demo the window is told what the tray was told, no more"
        );
        assert!(window_process_args(&LaunchArgs::default(), &paths, false).is_empty());
    }
}
