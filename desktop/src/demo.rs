//! `--demo`: the whole app against local emulators, in a throwaway data dir, with a file token
//! store, so it can be tried (and tested end to end) without an account or a reading server.
//!
//! The emulators are the project's own (`hardcover_sync_emulators::demo`): a Hardcover (GraphQL +
//! OAuth) with a seeded library of a few hundred books, and an Audiobookshelf whose items are books
//! of that catalog, some in progress and some finished. They are linked only with the `demo`
//! feature: the released tray carries no web server or GraphQL parser it never runs, and says so
//! when asked for `--demo`.

use std::sync::Arc;

use hardcover_sync::auth::Opener;
use hardcover_sync::paths::AppPaths;

#[cfg(feature = "demo")]
pub use with_emulators::{Demo, prepare};

#[cfg(not(feature = "demo"))]
pub use without_emulators::{Demo, prepare};

#[cfg(not(feature = "demo"))]
mod without_emulators {
    use super::AppPaths;

    /// Never made: this build has no demo mode.
    pub enum Demo {}

    impl Demo {
        pub fn stop(self) {
            match self {}
        }

        pub fn media_dir(&self) -> Option<std::path::PathBuf> {
            match *self {}
        }
    }

    pub fn prepare(_books: Option<usize>, _rt: &tokio::runtime::Handle) -> std::io::Result<(Demo, AppPaths)> {
        Err(std::io::Error::other(
            "this build has no demo mode (it ships without the bundled emulators): run `scripts/run.sh --demo`, \
             or build hardcover-sync-app with `--features demo`",
        ))
    }
}

#[cfg(feature = "demo")]
mod with_emulators {
    use hardcover_sync_emulators::demo::{self, DemoServers, DemoSpec};

    use super::AppPaths;

    /// Keeps the demo's temp dir and servers alive for the app's lifetime.
    pub struct Demo {
        dir: tempfile::TempDir,
        _servers: DemoServers,
    }

    /// How long after start the demo's virtual Kobo is "plugged in": long enough to see the app
    /// notice it arrive, short enough not to wait for it.
    const KOBO_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

    impl Demo {
        /// Stop the servers and remove the folder (before `exit`, which runs no destructors).
        pub fn stop(self) {}

        /// Where the virtual Kobo is "mounted": the tray watches it like a desktop's media folder.
        pub fn media_dir(&self) -> Option<std::path::PathBuf> {
            Some(self.dir.path().join("media"))
        }
    }

    /// Create the data dir, start the emulators, write a config pointing at them.
    pub fn prepare(books: Option<usize>, rt: &tokio::runtime::Handle) -> std::io::Result<(Demo, AppPaths)> {
        let dir = tempfile::Builder::new().prefix("hardcover-sync-demo-").tempdir()?;
        let books = books.or_else(|| std::env::var("HARDCOVER_SYNC_DEMO_BOOKS").ok().and_then(|n| n.parse().ok()));
        // A size asked for is the size of the user's library: every catalog book on a shelf.
        let spec = match books {
            Some(books) => DemoSpec { books, shelf_share: 1.0, ..DemoSpec::default() },
            None => DemoSpec::default(),
        };
        // Spawned on the process's runtime, so the servers keep running after this returns.
        let servers = rt.block_on(demo::start(&spec))?;
        let paths = AppPaths::under(dir.path().join("config.yaml"), dir.path());
        servers.write_config(&paths.config_file)?;
        // The virtual Kobo's source is configured from the start; its drive appears a few seconds
        // later, written aside and moved in whole, as a mount appears.
        let media = dir.path().join("media");
        std::fs::create_dir_all(&media)?;
        let kobo = media.join("KOBOeReader");
        let mut config = std::fs::read_to_string(&paths.config_file)?;
        config.push_str(&demo::kobo_source_yaml(&kobo));
        std::fs::write(&paths.config_file, config)?;
        let staging = dir.path().join("kobo-staging");
        let state = servers.hardcover.state().clone();
        std::thread::spawn(move || {
            std::thread::sleep(KOBO_AFTER);
            let written = demo::write_virtual_kobo(&state.db(), &staging).map_err(|e| e.to_string());
            match written.and_then(|()| std::fs::rename(&staging, &kobo).map_err(|e| e.to_string())) {
                Ok(()) => tracing::info!("demo mode: a virtual Kobo is plugged in at {}", kobo.display()),
                Err(e) => tracing::warn!("demo mode: cannot write the virtual Kobo: {e}"),
            }
        });
        tracing::info!("demo mode: data in {}, Hardcover at {}", dir.path().display(), servers.hardcover.base_url());
        Ok((Demo { dir, _servers: servers }, paths))
    }
}

/// In demo mode "Connect Hardcover…" has no real browser to send the user to (and on a test
/// machine none at all): the demo Hardcover approves at once, so following its redirect to our
/// loopback callback with a plain HTTP client completes the real OAuth flow (PKCE, state, iss).
pub fn follow_redirect_opener() -> Opener {
    Arc::new(|url: &url::Url| {
        let url = url.clone();
        // Called from the sign-in, which runs on the runtime.
        let rt = tokio::runtime::Handle::try_current()
            .map_err(|e| format!("the demo sign-in needs the async runtime: {e}"))?;
        rt.spawn(async move {
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(5)).build();
            match client {
                Ok(c) => {
                    if let Err(e) = c.get(url).send().await {
                        tracing::warn!("demo sign-in: {e}");
                    }
                }
                Err(e) => tracing::warn!("demo sign-in: {e}"),
            }
        });
        Ok(())
    })
}
