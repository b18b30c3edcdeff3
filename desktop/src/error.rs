//! The one error every command returns: the core's [`IpcError`], whose typed [`ErrorCode`] the
//! UI switches on (never the message). Defined once, in the core, with its TypeScript.

pub use hardcover_sync::error::{ErrorCode, IpcError, IpcResult};
