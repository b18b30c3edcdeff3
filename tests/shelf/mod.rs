//! The shelf browser's core operations against the Hardcover emulator, with a real SQLite cache.

mod covers;
mod demo;
mod lists;
mod reads;
mod settings;
mod unmatched;
mod writes;

use hardcover_sync::app::App;
use hardcover_sync::config::Config;
use hardcover_sync::paths::AppPaths;
use hardcover_sync_emulators::hardcover::RunningHardcover;

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
