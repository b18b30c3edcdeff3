//! The `hardcover-sync` command line: the same core the desktop app uses, for servers and cron.
//! Its own crate so the core carries no argument parser; it holds no logic of its own, only
//! parsing, the core's `App` calls and printing (`--json` prints the core's types as they are).
//!
//! Everything runs through [`run`] with injected output streams, so tests drive the real CLI
//! in-process (no binary to find, no shared target dir races).

mod account;
mod context;
mod library;
mod progress;
mod sync;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use context::Context;

#[derive(Debug, Parser)]
#[command(name = "hardcover-sync", version, about = "Sync reading progress from your own servers to Hardcover")]
pub struct Cli {
    /// Config file (default: the user's config folder: ~/.config/hardcover-sync/config.yaml on
    /// Linux, %APPDATA%\hardcover-sync\config\config.yaml on Windows).
    #[arg(long, global = true, value_name = "FILE", env = "HARDCOVER_SYNC_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the database, cache and logs (default: the user's data folder: XDG on Linux,
    /// %LOCALAPPDATA% on Windows).
    #[arg(long, global = true, value_name = "DIR", env = "HARDCOVER_SYNC_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Who is connected, which token store is in use, and when the token expires.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Reading statuses and lists with their book counts (refreshes the local copy first).
    Shelves {
        #[arg(long)]
        json: bool,
        /// Show the local copy without asking Hardcover.
        #[arg(long)]
        offline: bool,
    },
    /// Connect Hardcover: OAuth in the browser (default), a device code, or a pasted token.
    Connect {
        /// Use a personal access token (from hardcover.app/account/api) instead of OAuth. `-`
        /// reads it from standard input; without --token, HARDCOVER_TOKEN is used when set. Both
        /// keep it out of the process list and the shell history.
        #[arg(long, value_name = "TOKEN|-", conflicts_with = "device")]
        token: Option<String>,
        /// Sign in on another device with a short code (for machines without a browser).
        #[arg(long)]
        device: bool,
    },
    /// Revoke the tokens at Hardcover and delete them from this computer.
    Disconnect,
    /// Re-read the library from Hardcover into the local copy (for the shelf browser and export).
    Import {
        /// Re-read everything instead of only what changed.
        #[arg(long)]
        full: bool,
        #[arg(long)]
        json: bool,
    },
    /// Start a fresh local database after it was reported damaged (the damaged file is kept
    /// beside it) and import your library from Hardcover into it.
    RebuildDatabase,
    /// Reading progress as each configured reading server reports it.
    Progress {
        /// Only this source (its `name` in the config).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Sync reading progress between the configured sources and Hardcover.
    Sync {
        /// Show what would be done; send and write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
        /// When another sync of this data folder is running, wait for it instead of exiting
        /// (with status 75).
        #[arg(long)]
        wait: bool,
        /// List every item, the ones already up to date too (by default they are counted).
        #[arg(long)]
        all: bool,
    },
    /// What the last syncs did, item by item (newest first).
    History {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Match a source item to a Hardcover book by hand (the sync never replaces it).
    Link {
        /// The source's `name` in the config.
        source: String,
        /// The item's id on that server (see `history` or `progress --json`).
        item: String,
        /// Hardcover book id.
        #[arg(long)]
        book: i64,
        /// Hardcover edition id, used when the book is added to your shelf.
        #[arg(long)]
        edition: Option<i64>,
    },
    /// Undo a wrong match: the item is left out of syncs until linked again.
    Unlink { source: String, item: String },
    /// Never sync this item (kept across syncs; listed under Needs attention).
    Exclude {
        source: String,
        item: String,
        /// Only its highlights: sync its reading, send none of its highlights to the journal.
        #[arg(long)]
        highlights: bool,
    },
    /// Sync an excluded item again (with `--highlights`: send its highlights again).
    Include {
        source: String,
        item: String,
        #[arg(long)]
        highlights: bool,
    },
    /// Export shelves and lists (default: everything), refreshing the local copy first.
    Export {
        /// A status (read, want-to-read, …); repeatable.
        #[arg(long, value_name = "NAME")]
        shelf: Vec<String>,
        /// A list by name; repeatable.
        #[arg(long, value_name = "NAME")]
        list: Vec<String>,
        #[arg(long, value_name = "csv|json", default_value = "csv")]
        format: hardcover_sync::export::ExportFormat,
        /// Write here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Export the local copy as it is, without asking Hardcover for changes first.
        #[arg(long)]
        offline: bool,
    },
}

/// Run the CLI with `args` (including the program name), writing to `out` and `err`.
pub async fn run<I, T>(args: I, out: &mut (dyn Write + Send), err: &mut (dyn Write + Send)) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // `--help` and `--version` are answers, not errors: to standard output (`| less`, and
        // an installer or script reading the version), with success.
        Err(e) if !e.use_stderr() => {
            let _ = write!(out, "{}", e.render());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = write!(err, "{}", e.render());
            return ExitCode::from(2);
        }
    };
    match dispatch(cli, out).await {
        Ok(()) => ExitCode::SUCCESS,
        // `hardcover-sync export | head`: the reader went away, which is not our error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            exit_code(&e)
        }
    }
}

/// Exit status when another process is already syncing the data folder: EX_TEMPFAIL from
/// sysexits.h, "try again later", so a cron job can tell it from a failed sync.
pub const EXIT_SYNC_BUSY: u8 = 75;

fn exit_code(e: &anyhow::Error) -> ExitCode {
    match e.downcast_ref::<hardcover_sync::app::AppError>() {
        Some(hardcover_sync::app::AppError::SyncBusy { .. }) => ExitCode::from(EXIT_SYNC_BUSY),
        _ => ExitCode::FAILURE,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.to_string().contains("Broken pipe")
    })
}

async fn dispatch(cli: Cli, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let ctx = Context::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    match cli.command {
        Command::Status { json } => account::status(&ctx, json, out).await,
        Command::Connect { token, device } => account::connect(&ctx, token, device, out).await,
        Command::Disconnect => account::disconnect(&ctx, out).await,
        Command::Shelves { json, offline } => library::shelves(&ctx, json, offline, out).await,
        Command::Import { full, json } => library::import(&ctx, full, json, out).await,
        Command::RebuildDatabase => library::rebuild_database(&ctx, out).await,
        Command::Progress { source, json } => progress::progress(&ctx, source.as_deref(), json, out).await,
        Command::Sync { dry_run, json, wait, all } => sync::sync(&ctx, dry_run, json, wait, all, out).await,
        Command::History { json, limit } => sync::history(&ctx, json, limit, out),
        Command::Link { source, item, book, edition } => sync::link(&ctx, &source, &item, book, edition, out),
        Command::Unlink { source, item } => sync::unlink(&ctx, &source, &item, out),
        Command::Exclude { source, item, highlights } => sync::exclude(&ctx, &source, &item, true, highlights, out),
        Command::Include { source, item, highlights } => sync::exclude(&ctx, &source, &item, false, highlights, out),
        Command::Export { shelf, list, format, out: file, offline } => {
            library::export(&ctx, library::ExportArgs { shelves: &shelf, lists: &list, format, file, offline }, out)
                .await
        }
    }
}

/// Pretty JSON plus a newline, for `--json` output.
pub(crate) fn print_json(out: &mut (dyn Write + Send), value: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The process entry point (`main.rs`).
pub fn main() -> ExitCode {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    runtime.block_on(run(std::env::args_os(), &mut out, &mut err))
}

/// Logs go to stderr (stdout stays clean for `--json`). `RUST_LOG` overrides the level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
