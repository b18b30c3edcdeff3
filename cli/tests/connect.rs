//! The `connect` → `status` → `disconnect` journey through the real binary, as a user runs it:
//! `BROWSER=<script> hardcover-sync connect` against the demo emulators, tokens in the keyring.

use std::path::Path;
use std::process::Output;

use hardcover_sync_emulators::demo::{self, DEMO_USER, DemoSpec};

use hardcover_sync::auth::{KeyringStore, TokenStore};

/// The real keyring, under `service`. Required under CI (the test command runs inside a private
/// D-Bus with gnome-keyring); without a session bus elsewhere, skipped loudly.
fn keyring_or_skip(service: &str) -> Option<KeyringStore> {
    let required =
        std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var_os("HARDCOVER_SYNC_REQUIRE_KEYRING").is_some();
    if !required && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // Straight to stderr, not `eprintln!`: the test harness would swallow that for a passing test.
        use std::io::Write;
        let _ = std::io::stderr().write_all(
            b"\n!!!!!!!! WARNING: no D-Bus session bus: SKIPPING the CLI's keyring journey.\n\
              !!!!!!!! Run it with: scripts/with-keyring.sh cargo test -p hardcover-sync-cli\n\n",
        );
        return None;
    }
    let store = KeyringStore::new(service).unwrap_or_else(|e| panic!("a real keyring must be available here: {e}"));
    store.check_reachable().unwrap_or_else(|e| panic!("the Secret Service must be reachable here: {e}"));
    Some(store)
}

async fn run(config: &Path, data: &Path, browser: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_hardcover-sync"));
    cmd.arg("--config").arg(config).arg("--data-dir").arg(data).args(args);
    cmd.env_remove("BROWSER");
    if let Some(b) = browser {
        cmd.env("BROWSER", b);
    }
    cmd.output().await.expect("the hardcover-sync binary must run")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file under `dir`, read as bytes.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle)) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[tokio::test]
async fn browser_connect_keeps_tokens_in_the_keyring_and_disconnect_revokes() {
    let Some(keyring) = keyring_or_skip("hardcover-sync") else { return };
    let servers = demo::start(&DemoSpec { books: 20, abs_items: 2, seed: 1, ..DemoSpec::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config").join("config.yaml");
    let data = dir.path().join("data");
    // The demo config with the default token store: the OS keyring.
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, servers.config_yaml().replace("token_store: file", "token_store: keyring")).unwrap();
    // A "browser" that follows the authorize URL's redirect to our loopback callback.
    let browser = dir.path().join("browser.sh");
    std::fs::write(&browser, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    let out = run(&config, &data, Some(&browser), &["connect"]).await;
    assert!(out.status.success(), "connect must succeed: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("Connected as {DEMO_USER}")),
        "connect must end with 'Connected as <username>': {}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).contains("/oauth2/authorize"), "the authorize URL must also be printed");

    let stored = keyring.get().unwrap().expect("after connect the tokens must be in the keyring");
    let access = stored.access_token.expose().to_owned();
    assert!(access.len() > 8);
    for place in [config.parent().unwrap(), data.as_path()] {
        let hits = files_containing(place, &access);
        assert!(hits.is_empty(), "no file under {} may hold the access token: {hits:?}", place.display());
    }

    let out = run(&config, &data, None, &["status", "--json"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["username"], DEMO_USER, "status --json must name the connected user");
    assert_eq!(v["connected"], true);
    assert!(!text(&out.stdout).contains(&access), "status must never print the token");

    let before = servers.oauth.counters().revocations;
    let out = run(&config, &data, None, &["disconnect"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(servers.oauth.counters().revocations > before, "disconnect must reach the revoke endpoint");
    assert!(keyring.get().unwrap().is_none(), "disconnect must empty the token store");
    assert!(
        servers.hardcover.tokens().check(&access).is_none(),
        "after disconnect Hardcover must no longer accept the access token"
    );
}
