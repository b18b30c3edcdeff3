//! The Hardcover emulator: GraphQL (Hasura-shaped) with Hardcover's limits and quirks, plus its
//! OAuth authorization server.
//!
//! Layout: `state/` holds the tables and the automatic-read quirks, `graphql/` parses and shapes,
//! `resolvers/` decides what each field returns, `http.rs` adds auth, limits and scopes.

pub mod app;
pub mod covers;
pub mod emulator;
pub mod graphql;
pub mod http;
pub mod knobs;
pub mod limits;
pub mod resolvers;
#[cfg(test)]
mod schema_check;
pub mod seed;
pub mod state;
pub mod stats;
pub mod tokens;
mod words;

pub use app::HardcoverState;
pub use emulator::{HardcoverBuilder, HardcoverEmulator, RunningHardcover};
pub use http::{GRAPHQL_PATH, router};
pub use knobs::{Fault, Knobs};
pub use limits::Limits;
pub use seed::SeedSpec;
pub use state::AutoReadPolicy;
pub use stats::Stats;
pub use tokens::{ALL_SCOPES, Grant, TokenRegistry};
