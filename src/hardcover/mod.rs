//! Hardcover's GraphQL API: operations, transport, typed errors, rate limiting and batching.

pub mod token;

pub use token::{StaticToken, TokenError, TokenProvider};
