//! The window's event names (app → window). Their payloads are the core's view types.

pub const STATUS_CHANGED: &str = "status-changed";
pub const SYNC_PROGRESS: &str = "sync-progress";
pub const SYNC_FINISHED: &str = "sync-finished";
pub const CONNECT_RESULT: &str = "connect-result";
pub const EXPORT_PROGRESS: &str = "export-progress";
/// The shelves after a background refresh changed the local copy (payload: `Shelves`).
pub const LIBRARY_CHANGED: &str = "library-changed";
