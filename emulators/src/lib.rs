//! Local stand-ins for Hardcover and the reading servers.
//!
//! Each emulator is stateful and in-memory, listens on a random loopback port, and reproduces the
//! real service's shapes and quirks (see `shared/docs/API-FACTS.md`), so the core's tests, the
//! benchmarks and demo mode all talk real HTTP to something that behaves like production.

pub mod audiobookshelf;
pub mod demo;
pub mod devices;
pub mod hardcover;
pub mod kavita;
pub mod komga;
pub mod kosync;
pub mod oauth;
pub mod record;
pub mod revenge;
pub mod seed;
pub mod server;

pub use server::RunningServer;
