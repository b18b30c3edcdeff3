//! Connecting to Hardcover, against the OAuth emulator over loopback.

mod browser;
mod device;
mod disconnect;
mod emulator;
mod no_token_on_disk;
mod pasted;
mod refresh;
pub(crate) mod stores;
mod support;
