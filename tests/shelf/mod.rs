//! The shelf browser's core operations against the Hardcover emulator, with a real SQLite cache.

mod covers;
mod demo;
mod lists;
mod reads;
mod refresh;
mod settings;
mod unmatched;
mod writes;

use hardcover_sync::app::App;
use hardcover_sync::config::Config;
use hardcover_sync::paths::AppPaths;
use hardcover_sync_emulators::audiobookshelf::AbsEmulator;
use hardcover_sync_emulators::hardcover::RunningHardcover;
use hardcover_sync_emulators::seed::SeedBook;

use crate::support::{Sandbox, TOKEN};

/// An App connected to `hc` with its library imported, and the sandbox that holds its files.
pub async fn connected_app(hc: &RunningHardcover) -> (Sandbox, App) {
    let sb = Sandbox::new(hc, "");
    let app = open_app(&sb);
    app.connect_token(TOKEN).await.expect("the emulator's personal token must connect");
    app.refresh_library(true).await.expect("the first import must succeed");
    (sb, app)
}

pub fn open_app(sb: &Sandbox) -> App {
    let config = Config::load(&sb.config).expect("the sandbox config must parse");
    App::open(AppPaths::under(sb.config.clone(), &sb.data), config).expect("the app must open")
}

/// An Audiobookshelf holding `books`, and an App syncing it with `hc`, connected (not imported).
pub async fn app_with_abs(hc: &RunningHardcover, books: Vec<SeedBook>) -> (AbsEmulator, Sandbox, App) {
    let abs = AbsEmulator::builder().books(books).start().await.expect("the ABS emulator must start");
    let sb = Sandbox::new(
        hc,
        &format!(
            "sources:\n  - kind: audiobookshelf\n    name: abs\n    url: {}\n    api_key: abs-test-key\n",
            abs.base_url()
        ),
    );
    let app = open_app(&sb);
    app.connect_token(TOKEN).await.expect("the emulator's personal token must connect");
    (abs, sb, app)
}
