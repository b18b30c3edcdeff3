//! The Hardcover client against canned loopback servers, and its GraphQL against the schemas.

mod client;
mod schema_subset;
mod validate;
