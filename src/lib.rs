//! Hardcover Sync core.
//!
//! Everything the desktop shell and the CLI share lives here, and none of it knows about Tauri:
//! the shell injects what it needs (callbacks, paths) instead. Data flows one way:
//! source → match → plan (pure) → outbox (SQLite) → Hardcover.

pub mod app;
pub mod auth;
#[cfg(feature = "ts")]
pub mod bindings;
pub mod config;
pub mod error;
pub mod export;
pub mod hardcover;
pub mod identifiers;
pub mod import;
pub mod lock;
pub mod paths;
pub mod secret;
pub mod shelf;
pub mod sources;
pub mod store;
pub mod sync;

/// Name and version, as sent in `User-Agent` and shown in `--version`.
pub const USER_AGENT: &str = concat!("hardcover-sync/", env!("CARGO_PKG_VERSION"));
