//! End-to-end: the built app, headless, driven the way a user would (tray menu, window, clicks).
//! Run with `scripts/e2e.sh`.

mod bench;
mod devices;
mod journey;
mod reconnect;
mod support;
mod tray;
mod trust;
mod window;

pub const WINDOW_TITLE: &str = "Hardcover Sync";
