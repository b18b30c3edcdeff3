//! Helpers for tests of the desktop crates (this one and the window's commands): a `Core` whose
//! events are recorded, emulators to point it at. Built only with the `test-support` feature,
//! which only dev-dependencies turn on.

use std::sync::{Arc, Mutex};

use hardcover_sync::paths::AppPaths;

use crate::core_bridge::{Core, CoreEvent};

/// A core on a temp dir whose events are recorded.
pub fn test_core(dir: &std::path::Path) -> (Core, Arc<Mutex<Vec<CoreEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let paths = AppPaths::under(dir.join("config.yaml"), dir);
    let core = Core::open(paths, false, Arc::new(move |e| sink.lock().unwrap().push(e)));
    (core, seen)
}

/// A Hardcover (a library of `books`, `token` accepted) and an Audiobookshelf with the
/// captured sample items, and a config dir pointing at both with the file token store.
pub struct ServerSetup {
    pub rt: tokio::runtime::Runtime,
    pub hc: hardcover_sync_emulators::hardcover::RunningHardcover,
    /// Kept only to keep the server running.
    pub _abs: hardcover_sync_emulators::audiobookshelf::AbsEmulator,
    pub dir: tempfile::TempDir,
}

pub fn hardcover_and_audiobookshelf(token: &str, books: usize) -> ServerSetup {
    use hardcover_sync_emulators::audiobookshelf::AbsEmulator;
    use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, SeedSpec};
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (hc, abs) = rt.block_on(async {
        let hc = HardcoverEmulator::builder()
            .library(SeedSpec { books, ..SeedSpec::default() })
            .user("reader")
            .personal_token(token, ALL_SCOPES)
            .start()
            .await
            .expect("the Hardcover emulator must start");
        let abs = AbsEmulator::builder().api_key("abs-test-key").with_samples().start().await.expect("abs emulator");
        (hc, abs)
    });
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "scrobbling:\n  hardcover:\n    api_url: {}\n    token_store: file\nsources:\n  - kind: audiobookshelf\n    name: abs\n    url: {}\n    api_key: abs-test-key\n",
        hc.graphql_url(),
        abs.base_url()
    );
    std::fs::write(dir.path().join("config.yaml"), yaml).unwrap();
    ServerSetup { rt, hc, _abs: abs, dir }
}
