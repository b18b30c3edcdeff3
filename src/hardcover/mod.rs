//! Hardcover's GraphQL API: operations, transport, typed errors, rate limiting and batching.
//!
//! Callers use [`HardcoverClient`] and the plain types in [`model`]; the generated GraphQL types
//! stay inside (`ops`, `convert`). Every request goes through one [`RateLimiter`], and every
//! operation has at most five top-level fields ([`batch`]).

pub mod batch;
mod client;
mod convert;
pub mod error;
pub mod model;
mod ops;
pub mod ratelimit;
mod scalars;
pub mod token;
mod transport;

pub use batch::{Mutation, MutationOutcome};
pub use client::{DEFAULT_READS_PER_BOOK, HardcoverClient, MAX_PAGE};
pub use error::HardcoverError;
pub use model::*;
pub use ratelimit::{LimiterConfig, LimiterSnapshot, RateLimiter, SavedLimits, SharedLimits};
pub use token::{StaticToken, TokenError, TokenProvider};
