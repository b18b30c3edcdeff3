//! What Hardcover Sync's two desktop processes share, and the tray process itself.
//!
//! The app runs as two processes (see `link`): the **tray** (`tray`, what the user starts), and
//! the shelf browser **window**, started by the tray and built on Tauri in `src-tauri/`. This
//! crate never imports Tauri: the tray must not load WebKit, which a process linking Tauri's
//! runtime does whether or not it shows a page. Like the window's commands, the tray reaches the
//! `hardcover_sync` core through `core_bridge::Core`, which holds no UI of its own.

pub mod args;
#[cfg(test)]
mod bindings;
pub mod core_bridge;
pub mod demo;
pub mod devices;
pub mod error;
pub mod events;
pub mod link;
pub mod logs;
pub mod notify;
pub mod route;
pub mod system;
// The tray runs on Linux and Windows (`tray::platform`); macOS would be a third arm there.
#[cfg(any(target_os = "linux", windows))]
pub mod tray;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use args::LaunchArgs;
