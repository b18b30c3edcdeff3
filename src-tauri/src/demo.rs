//! `--demo`: the whole app against local emulators, in a throwaway data dir, with a file token
//! store, so it can be tried (and tested end to end) without an account or a reading server.

use std::path::Path;

use hardcover_sync::paths::AppPaths;
use hardcover_sync_emulators::RunningServer;

/// Keeps the demo's temp dir and servers alive for the app's lifetime.
pub struct Demo {
    _dir: tempfile::TempDir,
    _servers: Vec<RunningServer>,
}

/// Create the data dir, start the emulators, write a config pointing at them.
pub fn prepare() -> std::io::Result<(Demo, AppPaths)> {
    let dir = tempfile::Builder::new().prefix("hardcover-sync-demo-").tempdir()?;
    let servers = tauri::async_runtime::block_on(start_emulators())?;
    let paths = AppPaths::under(dir.path().join("config.yaml"), dir.path());
    write_config(&paths.config_file, &servers)?;
    tracing::info!("demo mode: data in {}", dir.path().display());
    Ok((Demo { _dir: dir, _servers: servers }, paths))
}

/// The emulators demo mode runs. Placeholder until the Hardcover emulator's router lands in
/// `hardcover_sync_emulators::hardcover`: then serve it (and a reading-server emulator) here with
/// `RunningServer::serve(router, 0)` and register a demo token in its `TokenRegistry`.
async fn start_emulators() -> std::io::Result<Vec<RunningServer>> {
    Ok(Vec::new())
}

fn write_config(path: &Path, servers: &[RunningServer]) -> std::io::Result<()> {
    let mut text = String::from("scrobbling:\n  hardcover:\n    token_store: file\n");
    if let Some(hc) = servers.first() {
        text.push_str(&format!("    api_url: {}/v1/graphql\n    issuer: {}\n", hc.base_url(), hc.base_url()));
    }
    text.push_str("sources: []\n");
    std::fs::write(path, text)
}
