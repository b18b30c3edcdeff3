//! Hardcover Sync's desktop shell: a tray icon that syncs in the background and a shelf browser
//! window built only on demand, in a process of its own (see `link`). Thin by design: the work is
//! in the `hardcover_sync` core, reached through `core_bridge::Core`.

mod args;
#[cfg(test)]
mod bindings;
pub mod commands;
mod convert;
pub mod core_bridge;
mod demo;
pub mod error;
pub mod link;
mod logs;
pub mod model;
mod notify;
pub mod state;
pub mod tray;
pub mod window;

use std::ffi::OsString;
use std::sync::Arc;

use hardcover_sync::sync::scheduler::{self, SchedulerConfig};

use hardcover_sync::paths::AppPaths;
use tauri::{AppHandle, Emitter, Manager, RunEvent, Runtime};

use crate::core_bridge::{Core, CoreEvent, EventSink};
use crate::link::ToWindow;
use crate::link::tray_side::{self, WindowProcess};
use crate::link::window_side::{self, TrayLink};
use crate::model::events;
use crate::notify::Notice;
use crate::state::{AppState, PluginAutostart, SystemOpener};
use crate::window::Route;

pub use args::LaunchArgs;

pub fn run() {
    #[cfg(target_os = "linux")]
    restart_without_gdk_gl();
    let args = match LaunchArgs::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    // Before anything runs on it (the demo starts its servers on it).
    install_async_runtime();
    if args.window_process {
        return run_window_process(args);
    }
    let (demo, paths) = if args.demo {
        match demo::prepare(args.demo_books) {
            Ok((d, p)) => (Some(d), p),
            Err(e) => {
                eprintln!("cannot set up demo mode: {e}");
                std::process::exit(1);
            }
        }
    } else {
        match AppPaths::resolve(args.config.as_deref(), args.data_dir.as_deref()) {
            Ok(p) => (None, p),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    };
    logs::init(&paths.log_dir);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = args.demo,
        "starting; logs in {}",
        paths.log_dir.display()
    );
    let window_args = window_process_args(&args, &paths, demo.is_some());

    let mut builder = tauri::Builder::default();
    if !args.demo {
        // Registered first, as the plugin requires: a second launch must reach us before anything
        // else starts. The demo is left out so it can run beside a real instance.
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Err(e) = tray_side::open(app, Route::Shelves) {
                tracing::error!("cannot open the window for a second launch: {e}");
            }
        }));
    }
    let app = with_plugins(builder)
        .setup(move |app| {
            let handle = app.handle().clone();
            let core = Core::open(paths, args.demo, event_sink(handle.clone()));
            app.manage(AppState {
                core,
                autostart: Arc::new(PluginAutostart(handle.clone())),
                opener: Arc::new(SystemOpener),
                tray: None,
            });
            app.manage(WindowProcess::new(window_args));
            if let Some(d) = demo {
                app.manage(d);
            }
            tray::build(&handle)?;
            // Who is connected, read from the token store (no request): the tray shows it as
            // soon as it is known, through the StatusChanged event. Then the periodic sync starts.
            let h = handle.clone();
            tauri::async_runtime::spawn(async move {
                let core = &h.state::<AppState>().core;
                core.refresh_connection().await;
                let config = SchedulerConfig::new(core.interval());
                let job_app = h.clone();
                let (scheduler, _task) = scheduler::spawn(config, move || {
                    let app = job_app.clone();
                    async move { app.state::<AppState>().core.scheduled_run().await }
                });
                core.attach_scheduler(scheduler);
            });
            if args.open_window
                && let Err(e) = tray_side::open(&handle, Route::Shelves)
            {
                tracing::error!("cannot open the window: {e}");
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| cannot_start(e));
    app.run(|_app, event| {
        // The tray process has no window of its own; this is for safety: only Quit (from the
        // menu), which exits with a code, may end it.
        if let RunEvent::ExitRequested { api, code: None, .. } = event {
            api.prevent_exit();
        }
    });
}

/// What the window process is started with, so that it opens the same files as this one: the
/// demo's folder in the demo; otherwise whatever this process was told (unset resolves the same
/// way there, and a relative path too: the child keeps our working directory).
fn window_process_args(args: &LaunchArgs, paths: &AppPaths, demo: bool) -> Vec<OsString> {
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

/// The shelf browser's process, started by the tray with `--window-process` (see `link`): the
/// window and its commands, no tray and no scheduler. It ends when its window closes.
fn run_window_process(args: LaunchArgs) {
    let paths = match AppPaths::resolve(args.config.as_deref(), args.data_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    logs::init(&paths.log_dir);
    tracing::info!(pid = std::process::id(), "window process starting");
    let route = args.route.unwrap_or(Route::Shelves);
    let asked = args.asked_at_ms.map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms));
    let app = with_plugins(tauri::Builder::default())
        .setup(move |app| {
            let handle = app.handle().clone();
            let covers = paths.covers_dir();
            let core = Core::open(paths, args.demo, event_sink(handle.clone()));
            let link = Arc::new(TrayLink::over_stdout());
            app.manage(window::OpenedAt::at(asked.unwrap_or_else(std::time::SystemTime::now)));
            app.manage(AppState {
                core,
                autostart: Arc::new(PluginAutostart(handle.clone())),
                opener: Arc::new(SystemOpener),
                tray: Some(Arc::clone(&link)),
            });
            // Covers are shown from the local cache through the asset protocol, and only from there.
            if let Err(e) = app.asset_protocol_scope().allow_directory(&covers, true) {
                tracing::warn!("cannot allow the covers folder: {e}");
            }
            // Read the sign-in before the tray's first news arrives: a status sent with none read
            // yet would tell the page "not connected".
            let h = handle.clone();
            tauri::async_runtime::spawn(async move { h.state::<AppState>().core.refresh_connection().await });
            window::open(&handle, route)?;
            window::follow_desktop_theme(&handle);
            // After the window exists: an early "Open" from the tray must find it, not race it.
            window_side::listen(handle.clone(), link);
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| cannot_start(e));
    // Closing the window ends this process (Tauri exits when the last window is gone).
    app.run(|_, _| {});
}

/// What both processes register: start at login (Settings and the tray menu switch it), the
/// export's save dialog (the window's capability grants only `save`), and the commands.
fn with_plugins(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    builder
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--autostart"]),
        ))
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handler())
}

fn cannot_start(e: tauri::Error) -> ! {
    tracing::error!("cannot start: {e}");
    eprintln!("cannot start Hardcover Sync: {e}");
    std::process::exit(1);
}

/// Tauri's default runtime has a worker thread per core. The app's async work is mostly waiting
/// on the network and the disk; two workers do it (each idle thread costs its stack and a malloc
/// arena in the idle tray, ~0.3 MiB). Not one: commands do their SQLite work on their worker, and
/// on a single worker a long one (importing a 10,000-book library) would hold up every other
/// command and event until it finished.
fn install_async_runtime() {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => {
            tauri::async_runtime::set(rt.handle().clone());
            // Lives as long as the process, like Tauri's own.
            Box::leak(Box::new(rt));
        }
        Err(e) => eprintln!("cannot build the async runtime ({e}); using Tauri's default"),
    }
}

/// Start over (same pid, via exec) with `GDK_GL=disable` (and `MALLOC_ARENA_MAX=2`,
/// `TOKIO_WORKER_THREADS=1`, both for memory; see below), unless the
/// user set `GDK_GL` already.
///
/// Why: GDK sets up OpenGL for the tray's hidden windows, which maps the GL driver; with Mesa's
/// software driver (no GPU, Xvfb, many VMs) that is libLLVM, ~44 MiB of the idle tray's 125 MiB
/// RSS. The window still renders without GDK's GL (WebKit falls back to copying frames), which a
/// shelf browser can afford. The variable must be set before GTK starts, and setting it from
/// inside the process needs `unsafe` (`std::env::set_var`), which this workspace forbids; an exec
/// keeps the pid, so single-instance, autostart and tauri-driver see one process.
#[cfg(target_os = "linux")]
fn restart_without_gdk_gl() {
    use std::os::unix::process::CommandExt;
    // Under WebDriver (tauri-driver sets TAURI_WEBVIEW_AUTOMATION) the session was never
    // established after the restart: keep the process as launched there.
    if std::env::var_os("GDK_GL").is_some() || std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut cmd = std::process::Command::new(exe);
    cmd.args(std::env::args_os().skip(1)).env("GDK_GL", "disable");
    // While at it: glibc gives each thread that allocates its own malloc arena (up to 8 per core),
    // each keeping freed memory; two are plenty for a tray. Read by glibc at start, hence here.
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        cmd.env("MALLOC_ARENA_MAX", "2");
    }
    // zbus's D-Bus connections (single instance, notifications) run on a tokio runtime of its
    // own, with a worker per core by default: one does for a few D-Bus messages. Our runtime sets
    // its own count (`install_async_runtime`), so this variable only reaches zbus's.
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        cmd.env("TOKIO_WORKER_THREADS", "1");
    }
    let err = cmd.exec();
    eprintln!("cannot restart with GDK_GL=disable ({err}); going on with OpenGL");
}

fn event_sink<R: Runtime>(app: AppHandle<R>) -> EventSink {
    Arc::new(move |event| on_core_event(&app, event))
}

/// Core news → tray, window (in this process through events, in the window process through the
/// link), notifications (from the tray process only: the window process must not repeat them).
fn on_core_event<R: Runtime>(app: &AppHandle<R>, event: CoreEvent) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let prefs = state.core.config().notifications;
    // The window process's core hears some of the same news (a rejected sign-in).
    let notifies = state.tray.is_none();
    match event {
        CoreEvent::StatusChanged => {
            tray::refresh(app);
            tray_side::send(app, &ToWindow::Sync { sync: state.core.sync_status() });
            let _ = app.emit(events::STATUS_CHANGED, state.core.status());
        }
        CoreEvent::SyncProgress(p) => {
            tray::refresh(app);
            tray_side::send(app, &ToWindow::Progress { progress: p });
            let _ = app.emit(events::SYNC_PROGRESS, p);
        }
        CoreEvent::SyncFinished { summary, finished_titles } => {
            tray_side::send(app, &ToWindow::SyncFinished { summary: summary.clone() });
            let _ = app.emit(events::SYNC_FINISHED, &summary);
            if notifies && !finished_titles.is_empty() {
                notify::send(Notice::Finished { titles: finished_titles }, &prefs);
            }
        }
        CoreEvent::SyncFailed { message, consecutive } => {
            if notifies && consecutive == notify::FAILURES_BEFORE_NOTICE {
                notify::send(Notice::Failures { count: consecutive, message }, &prefs);
            }
        }
        CoreEvent::ReconnectNeeded { reason } if notifies => {
            let app = app.clone();
            let connect: notify::OnClick = Box::new(move || tray::connect_in_browser(&app));
            notify::send_clickable(Notice::Reconnect { reason }, &prefs, Some(connect));
        }
        CoreEvent::ReconnectNeeded { .. } => {}
    }
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
