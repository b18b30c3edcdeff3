//! After a full connect with the default (keyring) store, no token is anywhere in the data or
//! config directories: not in the database, not in logs, not in the config.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hardcover_sync::auth::{Auth, BrowserOptions, TokenStore};
use hardcover_sync::hardcover::TokenProvider;
use hardcover_sync::paths::AppPaths;
use hardcover_sync::store::Store;
use url::Url;

use super::stores::{keyring_or_skip, test_service};
use super::support::{Hardcover, ScriptedBrowser};

fn grep_dir(dir: &Path, needle: &str, hits: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            grep_dir(&p, needle, hits);
        } else if let Ok(bytes) = std::fs::read(&p)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            hits.push(p.display().to_string());
        }
    }
}

#[tokio::test]
async fn no_token_in_data_or_config_dir_after_a_full_flow() {
    let service = test_service();
    let Some(keyring) = keyring_or_skip(&service) else { return };
    let keyring: Arc<dyn TokenStore> = Arc::new(keyring);
    let hc = Hardcover::start().await;
    let root = tempfile::tempdir().unwrap();
    let config_dir = root.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.yaml"), "scrobbling:\n  hardcover:\n    client_id: hardcover-sync-test\n")
        .unwrap();
    let paths = AppPaths::under(config_dir.join("config.yaml"), &root.path().join("data"));
    let db = Arc::new(Store::open(&paths.database()).unwrap());
    let auth = Auth::new(hc.settings(), Arc::clone(&keyring)).with_meta(Arc::clone(&db));

    let mut o = BrowserOptions::new(ScriptedBrowser::new().opener());
    o.show_url = Arc::new(|_: &Url| {});
    o.timeout = Some(Duration::from_secs(20));
    auth.connect_browser(o, &hc.probe()).await.expect("connect");
    // Exercise a refresh too, so the rotated tokens would be caught as well.
    let first = keyring.get().unwrap().unwrap();
    hc.registry.expire(first.access_token.expose());
    hc.call_me(&*auth.session()).await.unwrap();
    let second = keyring.get().unwrap().unwrap();
    assert_eq!(auth.session().access_token().await.unwrap(), second.access_token);
    db.conn().execute_batch("PRAGMA wal_checkpoint(FULL);").unwrap();

    let mut needles = vec![first.access_token.expose().to_owned(), second.access_token.expose().to_owned()];
    needles.extend([&first, &second].iter().filter_map(|t| t.refresh_token.as_ref()).map(|s| s.expose().to_owned()));
    for needle in &needles {
        let mut hits = Vec::new();
        grep_dir(root.path(), needle, &mut hits);
        assert!(hits.is_empty(), "no token may be written under the data or config dir, found in {hits:?}");
    }
    assert_eq!(
        db.meta_get("hardcover.username").unwrap().as_deref(),
        Some("reader4242"),
        "(sanity) the db was written"
    );
    keyring.delete().unwrap();
}
