//! `hardcover-sync-app`: the tray, what the user (and the login item) starts. It links no Tauri
//! and no WebKit: it uses nothing of this package's library, only the tray from
//! `hardcover-sync-desktop`. It lives in this package so that the bundle (which ships every
//! binary of the package Tauri builds) carries it as the main binary.

fn main() {
    hardcover_sync_desktop::tray::run()
}
