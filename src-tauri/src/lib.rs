//! Hardcover Sync's desktop shell: a tray icon that syncs in the background and a shelf browser
//! window built only on demand. Thin by design: the work is in the `hardcover_sync` core, reached
//! through `core_bridge::Core`.

mod args;
#[cfg(test)]
mod bindings;
pub mod commands;
mod convert;
pub mod core_bridge;
mod demo;
pub mod error;
mod logs;
pub mod model;
mod notify;
pub mod state;
pub mod tray;
pub mod window;

use std::sync::Arc;

use hardcover_sync::sync::scheduler::{self, SchedulerConfig};

use hardcover_sync::paths::AppPaths;
use tauri::{AppHandle, Emitter, Manager, RunEvent, Runtime};

use crate::core_bridge::{Core, CoreEvent, EventSink};
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

    let mut builder = tauri::Builder::default();
    if !args.demo {
        // Registered first, as the plugin requires: a second launch must reach us before anything
        // else starts. The demo is left out so it can run beside a real instance.
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Err(e) = window::open(app, Route::Shelves) {
                tracing::error!("cannot open the window for a second launch: {e}");
            }
        }));
    }
    let app = builder
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--autostart"]),
        ))
        // The export's save dialog; the window's capability grants only `save`.
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handler())
        .setup(move |app| {
            let handle = app.handle().clone();
            let covers = paths.covers_dir();
            let core = Core::open(paths, args.demo, event_sink(handle.clone()));
            app.manage(window::OpenedAt::default());
            app.manage(AppState {
                core,
                autostart: Arc::new(PluginAutostart(handle.clone())),
                opener: Arc::new(SystemOpener),
            });
            if let Some(d) = demo {
                app.manage(d);
            }
            // Covers are shown from the local cache through the asset protocol, and only from there.
            if let Err(e) = app.asset_protocol_scope().allow_directory(&covers, true) {
                tracing::warn!("cannot allow the covers folder: {e}");
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
            if args.open_window {
                window::open(&handle, Route::Shelves)?;
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!("cannot start: {e}");
            eprintln!("cannot start Hardcover Sync: {e}");
            std::process::exit(1);
        });
    app.run(|_app, event| {
        // Closing the last window must not quit: the app lives in the tray. Quit (from the menu)
        // exits with a code, which is let through.
        if let RunEvent::ExitRequested { api, code: None, .. } = event {
            api.prevent_exit();
        }
    });
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

/// Start over (same pid, via exec) with `GDK_GL=disable` (and `MALLOC_ARENA_MAX=2`), unless the
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
    let err = cmd.exec();
    eprintln!("cannot restart with GDK_GL=disable ({err}); going on with OpenGL");
}

fn event_sink<R: Runtime>(app: AppHandle<R>) -> EventSink {
    Arc::new(move |event| on_core_event(&app, event))
}

/// Core news → tray, window events, notifications.
fn on_core_event<R: Runtime>(app: &AppHandle<R>, event: CoreEvent) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let prefs = state.core.config().notifications;
    match event {
        CoreEvent::StatusChanged => {
            tray::refresh(app);
            let _ = app.emit(events::STATUS_CHANGED, state.core.status());
        }
        CoreEvent::SyncProgress(p) => {
            tray::refresh(app);
            let _ = app.emit(events::SYNC_PROGRESS, p);
        }
        CoreEvent::SyncFinished { summary, finished_titles } => {
            let _ = app.emit(events::SYNC_FINISHED, &summary);
            if !finished_titles.is_empty() {
                notify::send(Notice::Finished { titles: finished_titles }, &prefs);
            }
        }
        CoreEvent::SyncFailed { message, consecutive } => {
            if consecutive == notify::FAILURES_BEFORE_NOTICE {
                notify::send(Notice::Failures { count: consecutive, message }, &prefs);
            }
        }
        CoreEvent::ReconnectNeeded { reason } => notify::send(Notice::Reconnect { reason }, &prefs),
    }
}
