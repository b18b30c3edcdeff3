//! The Hardcover client against canned loopback servers, and its GraphQL against the schemas.

mod client;
mod first_sync;
mod schema_subset;
mod validate;
