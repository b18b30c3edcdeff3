//! Export benchmark: 10,000 books to Goodreads CSV and to JSON, from the local library copy.
//!
//! `cargo run --release -p hardcover-sync --example export_bench`
//!
//! Setup (not timed): the Hardcover emulator seeds a 10,000-book catalog, every book on the
//! user's shelves (all six statuses, reads, ratings, lists); the CLI connects with a token and
//! imports it into a fresh local database (`connect --token`, `import --full`), as a user would.
//!
//! Timed, per format:
//! - core: `export::export` over everything into a buffered file beside the target, flushed and
//!   renamed over it: the desktop's `export_books` command, without the window's events;
//! - CLI: `hardcover-sync export --format … --out …` in-process, start to finish (config, opening
//!   the database, the export, the rename).
//!
//! Each is run five times; the table shows the first (cold) run and the median.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hardcover_sync::export::{self, ExportFormat};
use hardcover_sync::store::Store;
use hardcover_sync::store::library::Selection;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, SeedSpec};

const BOOKS: usize = 10_000;
const RUNS: usize = 5;
const TOKEN: &str = "hc_pat_bench_0002";
const TARGET: Duration = Duration::from_millis(500);

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let hc = HardcoverEmulator::builder()
        .library(SeedSpec { books: BOOKS, shelf_share: 1.0, long_list: 2_000, ..SeedSpec::default() })
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .limits(Limits::unlimited())
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config.yaml");
    let data = dir.path().join("data");
    std::fs::write(
        &config,
        format!("scrobbling:\n  hardcover:\n    api_url: {}\n    token_store: file\n", hc.graphql_url()),
    )?;
    cli(&config, &data, &["connect", "--token", TOKEN]).await?;
    let started = Instant::now();
    let imported = cli(&config, &data, &["import", "--full", "--json"]).await?;
    let imported: serde_json::Value = serde_json::from_str(&imported)?;
    eprintln!(
        "setup: imported {} user_books and {} lists in {:.1} s",
        imported["user_books_fetched"],
        imported["lists"],
        started.elapsed().as_secs_f64()
    );
    let store = Store::open(&data.join("hardcover-sync.sqlite3"))?;
    let out_dir = dir.path().join("exports");
    std::fs::create_dir_all(&out_dir)?;

    println!("Export benchmark: {BOOKS} books on the shelves, local copy (release build)");
    println!();
    println!("| export | rows | bytes | first run | median of {RUNS} |");
    println!("|---|---:|---:|---:|---:|");
    let mut worst = Duration::ZERO;
    for (format, ext) in [(ExportFormat::Csv, "csv"), (ExportFormat::Json, "json")] {
        let target = out_dir.join(format!("core.{ext}"));
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            rows = export_to_file(&store, format, &target)?;
            times.push(t.elapsed());
        }
        let bytes = std::fs::metadata(&target)?.len();
        anyhow::ensure!(rows >= BOOKS, "an export of everything must hold every shelved book ({rows} < {BOOKS})");
        worst = worst.max(median(&times));
        println!("| core, {ext} | {rows} | {bytes} | {} | {} |", ms(times[0]), ms(median(&times)));

        let target = out_dir.join(format!("cli.{ext}"));
        let path = target.display().to_string();
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            cli(&config, &data, &["export", "--format", ext, "--out", &path]).await?;
            times.push(t.elapsed());
        }
        let bytes = std::fs::metadata(&target)?.len();
        worst = worst.max(median(&times));
        println!("| CLI `export --format {ext}` | {rows} | {bytes} | {} | {} |", ms(times[0]), ms(median(&times)));
    }
    // Where the time goes: reading the library copy (the same for both formats) vs writing.
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let rows = store.library_rows(&Selection::everything())?;
        times.push(t.elapsed());
        drop(rows);
    }
    println!("| (of which reading the local copy) | | | {} | {} |", ms(times[0]), ms(median(&times)));
    println!();
    println!(
        "Target: < {} ms per export of {BOOKS} books: {}",
        TARGET.as_millis(),
        if worst < TARGET { "met" } else { "NOT met" }
    );
    Ok(())
}

/// The desktop's `export_books`: a buffered file beside the target, renamed over it when complete.
fn export_to_file(store: &Store, format: ExportFormat, target: &Path) -> anyhow::Result<usize> {
    let tmp: PathBuf = target.with_extension("partial");
    let mut out = BufWriter::new(std::fs::File::create(&tmp)?);
    let mut progress = |_: usize, _: usize| {};
    let rows = export::export(store, &Selection::everything(), format, &mut out, &mut progress)?;
    out.flush()?;
    drop(out);
    std::fs::rename(&tmp, target)?;
    Ok(rows)
}

/// The CLI in-process (the binary in the shared target dir may belong to another build).
async fn cli(config: &Path, data: &Path, args: &[&str]) -> anyhow::Result<String> {
    let mut argv: Vec<String> = vec!["hardcover-sync".into(), "--config".into(), config.display().to_string()];
    argv.extend(["--data-dir".into(), data.display().to_string()]);
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = hardcover_sync_cli::run(argv, &mut out, &mut err).await;
    anyhow::ensure!(
        code == std::process::ExitCode::SUCCESS,
        "`{}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&err)
    );
    Ok(String::from_utf8(out)?)
}

fn median(times: &[Duration]) -> Duration {
    let mut t = times.to_vec();
    t.sort();
    t[t.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}
