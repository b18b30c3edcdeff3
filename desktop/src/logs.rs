//! Logging, set up once at start: a daily rolling file in the app's log dir (what "Open logs
//! folder" shows) plus stderr.
//!
//! The file is written directly by the thread that logs, not through tracing-appender's
//! background writer: a tray logs a few lines a minute, and the writer's thread and its queue
//! (128 000 lines, allocated and touched up front: 4 MiB) were a good part of the idle tray's
//! memory. Nothing waits in a queue, so nothing is lost at exit either.

use std::path::Path;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub const LOG_FILE_PREFIX: &str = "hardcover-sync.log";

/// `RUST_LOG` overrides the default level. Secrets cannot end up here: they are `Secret`s, whose
/// Debug/Display print `<redacted>`.
pub fn init(log_dir: &Path) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match std::fs::create_dir_all(log_dir) {
        Ok(()) => {
            let appender = tracing_appender::rolling::daily(log_dir, LOG_FILE_PREFIX);
            let file = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(appender);
            let _ = tracing_subscriber::registry().with(filter).with(stderr).with(file).try_init();
        }
        Err(e) => {
            let _ = tracing_subscriber::registry().with(filter).with(stderr).try_init();
            tracing::warn!("cannot create the log folder {}: {e}; logging to stderr only", log_dir.display());
        }
    }
}
