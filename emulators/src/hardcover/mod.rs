//! The Hardcover emulator: GraphQL (Hasura-shaped) with Hardcover's limits and quirks, plus its
//! OAuth authorization server.

pub mod tokens;
