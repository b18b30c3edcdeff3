//! `hardcover-sync-window`: the shelf browser window, started by the tray (see
//! `hardcover_sync_desktop::link`). Not meant to be started by hand.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    hardcover_sync_app::run()
}
