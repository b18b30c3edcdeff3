//! What every command reaches through `app.state::<AppState>()`.
//!
//! OS side effects (login items, opening a folder) sit behind small traits (shared with the tray,
//! in `hardcover_sync_desktop::system`) so command tests can run on the mock runtime without
//! touching the user's desktop.

use std::sync::Arc;

pub use hardcover_sync::auth::Opener;
pub use hardcover_sync_desktop::system::{AutostartSwitch, FolderOpener};

pub use crate::save_dialog::SaveDialog;

use crate::core_bridge::Core;
use crate::tray_link::TrayLink;

pub struct AppState {
    pub core: Core,
    pub autostart: Arc<dyn AutostartSwitch>,
    pub opener: Arc<dyn FolderOpener>,
    /// Opens web pages (a book on hardcover.app) in the user's browser; a recorder in tests.
    pub links: Opener,
    /// Where an export goes (the native save dialog; a fake in command tests).
    pub save_dialog: Arc<dyn SaveDialog>,
    /// The tray process, which runs the syncs. `None` in command tests, where the core syncs on
    /// its own.
    pub tray: Option<Arc<TrayLink>>,
}
