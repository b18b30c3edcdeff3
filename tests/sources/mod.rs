//! Sources against their emulators over loopback: listing, paging, write-back, bad input.

mod audiobookshelf;
mod bad_input;
mod contract;
mod errors;
mod kavita;
mod kobo;
mod komga;
mod koreader;
pub(crate) mod kosync;
mod kosync_replay;
mod parsers;
mod revenge;
mod samples;

use std::path::PathBuf;
use std::sync::Arc;

use hardcover_sync::config::{SourceConfig, SourceKind};
use hardcover_sync::secret::Secret;
use hardcover_sync::sources::{self, ProgressSource, SourceItem};
use hardcover_sync::store::Store;
use url::Url;

pub fn config(kind: SourceKind, name: &str, url: &str) -> SourceConfig {
    SourceConfig {
        kind,
        name: name.into(),
        url: Url::parse(url).expect("emulator url"),
        api_key: None,
        username: None,
        password: None,
        library: Vec::new(),
        path: None,
        journal: None,
        mark_owned: false,
        enabled: true,
    }
}

pub fn store() -> Arc<Store> {
    Arc::new(Store::open_in_memory().expect("in-memory store"))
}

/// A source for `kind` at `url` with an API key (Audiobookshelf, Komga, Kavita).
pub fn keyed(kind: SourceKind, name: &str, url: &str, key: &str) -> Box<dyn ProgressSource> {
    sources::build(&config(kind, name, url), Some(Secret::new(key)), store()).expect("source builds")
}

pub fn by_id<'a>(items: &'a [SourceItem], id: &str) -> &'a SourceItem {
    items.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("item {id} must be listed"))
}

pub fn ms(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

/// A port nothing listens on.
pub fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// `../shared/<rel>` (reference data laid beside the repository), or `None` with a warning when
/// it is absent. Under CI (`CI=true`) an absent one is a failure: the check must not silently
/// stop running there.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    shared_in(&root, rel, std::env::var("CI").is_ok_and(|v| v == "true")).unwrap_or_else(|message| panic!("{message}"))
}

fn shared_in(root: &std::path::Path, rel: &str, ci: bool) -> Result<Option<PathBuf>, String> {
    let path = root.join(rel);
    if path.exists() {
        return Ok(Some(path));
    }
    if ci {
        return Err(format!(
            "CI=true but the reference data is missing at {}: lay ../shared beside the repository",
            path.display()
        ));
    }
    eprintln!("WARNING: skipping: reference data not found at {} (set CI=true to make this fail)", path.display());
    Ok(None)
}

#[test]
fn missing_reference_data_fails_only_in_ci() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("does-not-exist");
    let err = shared_in(&root, "samples/kosync", true).expect_err("in CI missing reference data must fail the test");
    assert!(err.contains("CI=true") && err.contains("samples/kosync"), "the failure names what is missing: {err}");
    assert_eq!(
        shared_in(&root, "samples/kosync", false),
        Ok(None),
        "outside CI it is a warning and the check is skipped"
    );
}
