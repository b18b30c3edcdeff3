//! Hardcover Sync's shelf browser window: the app's only Tauri (and so WebKit) process. The tray
//! (`hardcover_sync_desktop::tray`, the `hardcover-sync-app` binary) starts it as
//! `hardcover-sync-window` when the shelves or settings are asked for; it ends when its window
//! closes. Thin by design: the work is in the `hardcover_sync` core, reached through
//! `core_bridge::Core`; the syncs run in the tray, asked for through `tray_link`.

pub mod commands;
pub mod save_dialog;
pub mod state;
pub mod tray_link;
pub mod window;

// What both processes share, under the names the commands use.
pub use hardcover_sync_desktop::{LaunchArgs, core_bridge, demo, error, events};

use std::sync::Arc;

use hardcover_sync::paths::AppPaths;
use hardcover_sync_desktop::system::{SystemOpener, login_item};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::core_bridge::{Core, CoreEvent, EventSink};
use crate::state::AppState;
use crate::tray_link::TrayLink;
use crate::window::Route;

/// The window process: the window and its commands, no tray and no scheduler. It ends when its
/// window closes, or when the tray closes the link (Quit).
pub fn run() {
    let args = match LaunchArgs::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    install_async_runtime();
    let paths = match AppPaths::resolve(args.config.as_deref(), args.data_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    hardcover_sync_desktop::logs::init(&paths.log_dir);
    tracing::info!(pid = std::process::id(), "window process starting");
    let route = args.route.unwrap_or(Route::Shelves);
    // Started ahead, the window is hidden and nobody has asked for it yet: the tray's `Open` says when.
    let asked = match (args.ahead, args.asked_at_ms) {
        (true, _) => None,
        (false, Some(ms)) => Some(window::unix_ms(ms)),
        (false, None) => Some(std::time::SystemTime::now()),
    };
    let app = with_plugins(tauri::Builder::default())
        // When the close reached the app, for a report of a window that would not close (seen
        // only on a machine whose CPUs were all busy: docs/desktop.md, end-to-end tests).
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::CloseRequested { .. } => tracing::info!("window close requested"),
            // The process ends with its window (the last one).
            tauri::WindowEvent::Destroyed => {
                if let Some(tray) = window.try_state::<AppState>().and_then(|s| s.tray.clone()) {
                    tray.tell_closing();
                }
            }
            _ => {}
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            let covers = paths.covers_dir();
            let core = Core::open(paths, args.demo, event_sink(handle.clone()));
            let link = Arc::new(TrayLink::over_stdout());
            app.manage(window::OpenedAt::new(asked));
            app.manage(AppState {
                core,
                autostart: login_item(),
                opener: Arc::new(SystemOpener),
                links: hardcover_sync::auth::system_opener(),
                save_dialog: Arc::new(save_dialog::NativeSaveDialog(handle.clone())),
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
            if args.ahead {
                window::create_hidden(&handle, route)?;
            } else {
                window::open(&handle, route)?;
            }
            window::follow_desktop_theme(&handle);
            // After the window exists: an early "Open" from the tray must find it, not race it.
            tray_link::listen(handle.clone(), link);
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| cannot_start(e));
    // Closing the window ends this process (Tauri exits when the last window is gone).
    app.run(|_, _| {});
}

/// The export's save dialog (opened from Rust only: the window's capability grants the page none
/// of the dialog plugin's commands), and the commands.
fn with_plugins(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    builder.plugin(tauri_plugin_dialog::init()).invoke_handler(commands::handler())
}

fn cannot_start(e: tauri::Error) -> ! {
    tracing::error!("cannot start: {e}");
    eprintln!("cannot start Hardcover Sync: {e}");
    std::process::exit(1);
}

/// Tauri's default runtime has a worker thread per core. The window's async work is mostly
/// waiting on the network and the disk; two workers do it (each idle thread costs its stack and a malloc
/// arena ~0.3 MiB). Not one: commands do their SQLite work on their worker, and
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

fn event_sink<R: Runtime>(app: AppHandle<R>) -> EventSink {
    Arc::new(move |event| on_core_event(&app, event))
}

/// Core news → the page. The tray process notifies; this one, which hears some of the same news
/// (a rejected sign-in), must not repeat it.
fn on_core_event<R: Runtime>(app: &AppHandle<R>, event: CoreEvent) {
    let Some(state) = app.try_state::<AppState>() else { return };
    match event {
        CoreEvent::StatusChanged => {
            let _ = app.emit(events::STATUS_CHANGED, state.core.status());
        }
        CoreEvent::SyncProgress(p) => {
            let _ = app.emit(events::SYNC_PROGRESS, p);
        }
        CoreEvent::SyncFinished { summary, .. } => {
            let _ = app.emit(events::SYNC_FINISHED, &summary);
        }
        CoreEvent::SyncFailed { .. } | CoreEvent::ReconnectNeeded { .. } | CoreEvent::SourceStartedFailing { .. } => {}
    }
}
