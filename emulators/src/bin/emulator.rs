//! `hardcover-sync-emulator`: run the Hardcover emulator by hand (demo mode, manual testing).

use clap::Parser;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, SeedSpec};

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let limits = if args.unlimited { Limits::unlimited() } else { Limits::default() };
    let hc = HardcoverEmulator::builder()
        .library(SeedSpec { books: args.books, seed: args.seed, ..SeedSpec::default() })
        .user("reader")
        .personal_token(&args.token, ALL_SCOPES)
        .limits(limits)
        .port(args.port)
        .start()
        .await?;
    println!("Hardcover emulator");
    println!("  GraphQL: {}", hc.graphql_url());
    println!("  token:   {}", args.token);
    println!("  stats:   {}/__emulator/stats", hc.base_url());
    println!("Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    hc.stop().await;
    Ok(())
}
