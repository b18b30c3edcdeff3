//! `hardcover-sync-emulator`: run the Hardcover emulator by hand (demo mode, manual testing).

use clap::Parser;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, Fault, HardcoverEmulator, Limits, SeedSpec};

#[derive(Parser, Debug)]
#[command(about = "A local, stateful stand-in for Hardcover's GraphQL API, with a seeded library.")]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Books in the seeded catalog.
    #[arg(long, default_value_t = 300)]
    books: usize,
    /// Seed for the generated library (same seed, same library).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Personal token to accept (all scopes), for the user "reader".
    #[arg(long, default_value = "hc_pat_demo")]
    token: String,
    /// Lift the rate limits (keeps the 5-fields-per-operation rule).
    #[arg(long)]
    unlimited: bool,
    /// Delay every GraphQL answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fail this fraction (0..1) of requests with one of --faults.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Faults to inject: status codes, "timeout", "drop", "429" (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "500,502,503")]
    faults: Vec<String>,
    /// Run the demo set instead: Hardcover (GraphQL + OAuth) and an Audiobookshelf whose items are
    /// books of the same catalog, and write a ready config for the app/CLI to this file.
    #[arg(long, value_name = "CONFIG_FILE")]
    demo: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(config) = &args.demo {
        return demo(config, args.books).await;
    }
    let limits = if args.unlimited { Limits::unlimited() } else { Limits::default() };
    let hc = HardcoverEmulator::builder()
        .library(SeedSpec { books: args.books, seed: args.seed, ..SeedSpec::default() })
        .user("reader")
        .personal_token(&args.token, ALL_SCOPES)
        .limits(limits)
        .port(args.port)
        .start()
        .await?;
    hc.knobs().set_latency(std::time::Duration::from_millis(args.latency_ms));
    if args.fault_rate > 0.0 {
        let faults = args
            .faults
            .iter()
            .map(|f| Fault::parse(f).ok_or_else(|| anyhow::anyhow!("unknown fault '{f}'")))
            .collect::<Result<Vec<_>, _>>()?;
        hc.knobs().set_fault_rate(args.fault_rate, faults, args.seed);
    }
    println!("Hardcover emulator");
    println!("  GraphQL: {}", hc.graphql_url());
    println!("  token:   {}", args.token);
    println!("  stats:   {}/__emulator/stats", hc.base_url());
    println!(
        "  knobs:   POST {}/__emulator/knobs {{\"latency_ms\":200,\"fault_rate\":0.1,\"faults\":[\"503\"]}}",
        hc.base_url()
    );
    println!("Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    hc.stop().await;
    Ok(())
}

async fn demo(config: &std::path::Path, books: usize) -> anyhow::Result<()> {
    use hardcover_sync_emulators::demo;
    let servers = demo::start(&demo::DemoSpec { books, ..demo::DemoSpec::default() }).await?;
    servers.write_config(config)?;
    println!("Demo servers");
    println!("  Hardcover:      {}", servers.hardcover.graphql_url());
    println!("  Audiobookshelf: {}", servers.abs.base_url());
    println!("  config:         {}", config.display());
    println!("Try: hardcover-sync --config {} --data-dir <dir> connect --token {}", config.display(), demo::DEMO_TOKEN);
    println!("Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
