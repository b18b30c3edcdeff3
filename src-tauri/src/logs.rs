//! Logging, set up once at start: a daily rolling file in the app's log dir (what "Open logs
//! folder" shows) plus stderr. The writer's guard must live as long as the app, or the last lines
//! are lost: it is kept as managed state.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

pub const LOG_FILE_PREFIX: &str = "hardcover-sync.log";

/// Lines waiting for the log writer thread at most.
const LOG_QUEUE_LINES: usize = 4096;

/// `RUST_LOG` overrides the default level. Secrets cannot end up here: they are `Secret`s, whose
/// Debug/Display print `<redacted>`.
pub fn init(log_dir: &Path) -> Option<LogGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match std::fs::create_dir_all(log_dir) {
        Ok(()) => {
            let appender = tracing_appender::rolling::daily(log_dir, LOG_FILE_PREFIX);
            // The default queue holds 128 000 lines, allocated and touched up front: 4 MiB of the
            // idle tray's memory. A tray logs a few lines a minute; when a burst outruns the
            // writer, lines wait rather than being dropped.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_QUEUE_LINES)
                .lossy(false)
                .finish(appender);
            let file = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer);
            let _ = tracing_subscriber::registry().with(filter).with(stderr).with(file).try_init();
            Some(LogGuard(guard))
        }
        Err(e) => {
            let _ = tracing_subscriber::registry().with(filter).with(stderr).try_init();
            tracing::warn!("cannot create the log folder {}: {e}; logging to stderr only", log_dir.display());
            None
        }
    }
}
