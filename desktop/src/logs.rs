//! Logging, set up once at start: a daily rolling file in the app's log dir (what "Open logs
//! folder" shows) plus stderr.
//!
//! The file is written directly by the thread that logs, not through tracing-appender's
//! background writer: a tray logs a few lines a minute, and the writer's thread and its queue
//! (128 000 lines, allocated and touched up front: 4 MiB) were a good part of the idle tray's
//! memory. Nothing waits in a queue, so nothing is lost at exit either.

use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub const LOG_FILE_PREFIX: &str = "hardcover-sync.log";

/// Moves the log folder away from the data folder: demo mode's data folder is removed at exit,
/// and a report (or a failed end-to-end test) still needs what was logged.
pub const LOG_DIR_ENV: &str = "HARDCOVER_SYNC_LOG_DIR";

/// Where logs go: [`LOG_DIR_ENV`] when set, else `default` (the paths' `log_dir`).
pub fn log_dir(default: &Path) -> PathBuf {
    log_dir_from(std::env::var_os(LOG_DIR_ENV), default)
}

fn log_dir_from(var: Option<std::ffi::OsString>, default: &Path) -> PathBuf {
    var.filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| default.to_path_buf())
}

/// `RUST_LOG` overrides the default level. Secrets cannot end up here: they are `Secret`s, whose
/// Debug/Display print `<redacted>`.
pub fn init(log_dir: &Path) {
    let log_dir = &self::log_dir(log_dir);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_dir_variable_moves_logs_and_an_empty_one_does_not() {
        let default = Path::new("/data/logs");
        assert_eq!(log_dir_from(Some("/kept".into()), default), PathBuf::from("/kept"), "the variable must win");
        assert_eq!(log_dir_from(Some("".into()), default), default, "an empty variable must not move logs to the cwd");
        assert_eq!(log_dir_from(None, default), default, "without the variable logs stay in the data folder");
    }
}
