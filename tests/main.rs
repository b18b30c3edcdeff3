//! The one integration-test binary. Its modules mirror `src/`; every test talks HTTP to the
//! emulators on loopback and uses a real SQLite file.

mod auth;
mod cli;
mod hardcover;
mod shelf;
mod sources;
mod support;
mod sync;
mod windows;
