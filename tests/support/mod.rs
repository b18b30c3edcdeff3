//! Shared test fixtures: emulators with a seeded library, config files, and running the CLI
//! in-process (or, for tests of several processes, as its own binary).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hardcover_sync::identifiers;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, RunningHardcover, SeedSpec};

pub const TOKEN: &str = "hc_pat_integration_test_token_0001";

/// A Hardcover emulator with a seeded library for user "reader" and a personal token.
pub async fn hardcover(books: usize) -> RunningHardcover {
    HardcoverEmulator::builder()
        .library(SeedSpec { books, ..SeedSpec::default() })
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .start()
        .await
        .expect("the Hardcover emulator must start on loopback")
}

/// A temp folder with a config pointing at `hc` (file token store) and a data dir.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Sandbox {
    pub fn new(hc: &RunningHardcover, extra_yaml: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.yaml");
        let data = dir.path().join("data");
        let yaml = format!(
            "scrobbling:\n  hardcover:\n    api_url: {}\n    token_store: file\n{extra_yaml}",
            hc.graphql_url()
        );
        std::fs::write(&config, yaml).unwrap();
        Self { dir, config, data }
    }

    /// Run the CLI with `args` after `--config … --data-dir …`; returns (success, stdout, stderr).
    pub async fn cli(&self, args: &[&str]) -> (bool, String, String) {
        run_cli(&self.config, &self.data, args).await
    }
}

pub async fn run_cli(config: &Path, data: &Path, args: &[&str]) -> (bool, String, String) {
    let mut argv: Vec<String> = vec!["hardcover-sync".into(), "--config".into(), config.display().to_string()];
    argv.extend(["--data-dir".into(), data.display().to_string()]);
    argv.extend(args.iter().map(|s| s.to_string()));
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = hardcover_sync_cli::run(argv, &mut out, &mut err).await;
    let ok = code == std::process::ExitCode::SUCCESS;
    (ok, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// The `hardcover-sync` binary, for tests of several processes on one data folder. Cargo hands a
/// package's tests only that package's own binaries, and the CLI is a crate of its own: so it is
/// built here, once per test run, by the cargo running the tests (a no-op when `cargo test
/// --workspace` built it already), never taken stale from an earlier build.
pub fn cli_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = std::process::Command::new(cargo)
            .args(["build", "-p", "hardcover-sync-cli", "--bin", "hardcover-sync", "--message-format=json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("cargo must run to build the hardcover-sync binary");
        assert!(out.status.success(), "building the hardcover-sync binary for the multi-process tests failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "hardcover-sync")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo must name the hardcover-sync executable it built")
    })
}

/// `n` distinct valid ISBN-13s, ascending: identifiers with a wrong check digit are never looked up.
pub fn isbn13s(n: usize) -> Vec<String> {
    let valid = |i: usize| "0123456789X".chars().find_map(|c| identifiers::isbn10_to_13(&format!("{i:09}{c}")));
    (0..n).filter_map(valid).collect()
}
