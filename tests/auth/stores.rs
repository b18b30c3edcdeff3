//! Token stores: a REAL Secret Service (run under `scripts/with-keyring.sh`) and the 0600 file.

use std::os::unix::fs::PermissionsExt;

use hardcover_sync::auth::{FileStore, KeyringStore, StoredTokens, TokenKind, TokenStore};

/// A keyring entry name of our own, so tests never touch the user's real entry.
pub fn test_service() -> String {
    format!("hardcover-sync-test-{}-{}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000
}

/// The keyring to test against, or `None` (with a loud warning) outside CI when there is no
/// session bus at all. In CI, or under scripts/with-keyring.sh, an unreachable keyring FAILS.
pub fn keyring_or_skip(service: &str) -> Option<KeyringStore> {
    let required =
        std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var_os("HARDCOVER_SYNC_REQUIRE_KEYRING").is_some();
    let no_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none();
    if !required && no_bus {
        // Straight to stderr, not `eprintln!`: the test harness would swallow that for a passing test.
        use std::io::Write;
        let _ = std::io::stderr().write_all(
            b"\n!!!!!!!! WARNING: no D-Bus session bus: SKIPPING the real keyring test.\n\
              !!!!!!!! Run it with: scripts/with-keyring.sh cargo test -p hardcover-sync --test integration auth\n\n",
        );
        return None;
    }
    let store = KeyringStore::new(service).unwrap_or_else(|e| panic!("a real keyring must be available here: {e}"));
    store.check_reachable().unwrap_or_else(|e| panic!("the Secret Service must be reachable here: {e}"));
    Some(store)
}

fn sample() -> StoredTokens {
    StoredTokens {
        kind: TokenKind::OAuth,
        access_token: "hc_at_keyringtest".into(),
        refresh_token: Some("hc_rt_keyringtest".into()),
        expires_at: Some(chrono::DateTime::from_timestamp(1_900_000_000, 0).unwrap()),
        scopes: vec!["read:library".into(), "write:library".into()],
    }
}

#[test]
fn keyring_round_trip_in_a_real_secret_service() {
    let service = test_service();
    let Some(store) = keyring_or_skip(&service) else { return };
    assert_eq!(store.get().unwrap(), None, "a missing keyring entry must be Ok(None)");
    store.save(&sample()).unwrap();
    assert_eq!(store.get().unwrap(), Some(sample()), "access, refresh and expiry must come back together");

    // Visible to other Secret Service clients (Seahorse, secret-tool): it is really in the
    // keyring, not in keyring's silent in-memory fallback.
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", "hardcover"])
        .output()
        .expect("secret-tool (libsecret-tools) must be installed for this test");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(seen.contains("hc_rt_keyringtest"), "the entry must be in the Secret Service under service {service}");

    let mut updated = sample();
    updated.refresh_token = Some("hc_rt_rotated".into());
    store.save(&updated).unwrap();
    assert_eq!(store.get().unwrap(), Some(updated), "saving again must replace the entry, not add one");
    store.delete().unwrap();
    assert_eq!(store.get().unwrap(), None, "a deleted entry must read as Ok(None)");
    store.delete().expect("deleting a missing entry must succeed");
}

#[test]
fn file_store_is_0600_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/tokens.json");
    let store = FileStore::new(path.clone());
    assert_eq!(store.get().unwrap(), None, "a missing token file must be Ok(None)");
    store.save(&sample()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the token file must be readable by its owner only");
    assert_eq!(store.get().unwrap(), Some(sample()));

    // A file someone loosened is replaced by a 0600 one on the next save.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&sample()).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "saving must restore 0600");
    store.delete().unwrap();
    assert!(!path.exists());
    store.delete().expect("deleting a missing file must succeed");
}

#[test]
fn corrupt_file_store_says_to_reconnect_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    std::fs::write(&path, "{\"access_token\": \"hc_at_half").unwrap();
    let err = FileStore::new(path).get().expect_err("a corrupt file must be an error, not a silent logout");
    let msg = err.to_string();
    assert!(msg.contains("connect again") && !msg.contains("hc_at_half"), "{msg}");
}
