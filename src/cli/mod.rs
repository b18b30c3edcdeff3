//! The `hardcover-sync` command line: the same core the desktop app uses, for servers and cron.
//!
//! Everything runs through [`run`] with injected output streams, so tests drive the real CLI
//! in-process (no binary to find, no shared target dir races).

mod context;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use context::Context;

#[derive(Debug, Parser)]
#[command(name = "hardcover-sync", version, about = "Sync reading progress from your own servers to Hardcover")]
pub struct Cli {
    /// Config file (default: ~/.config/hardcover-sync/config.yaml).
    #[arg(long, global = true, value_name = "FILE", env = "HARDCOVER_SYNC_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the database, cache and logs (default: XDG data dir).
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
    /// Reading statuses and lists with their book counts.
    Shelves {
        #[arg(long)]
        json: bool,
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
        Err(e) => {
            let _ = write!(err, "{}", e.render());
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match dispatch(cli, out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let ctx = Context::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    match cli.command {
        Command::Status { json } => status(&ctx, json, out).await,
        Command::Shelves { json } => shelves(&ctx, json, out).await,
    }
}

async fn status(_ctx: &Context, _json: bool, _out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}

async fn shelves(_ctx: &Context, _json: bool, _out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}

/// The process entry point used by `src/main.rs`.
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
