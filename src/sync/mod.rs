//! The sync engine: match source items to Hardcover editions, plan (pure), push through the outbox.

pub mod normalize;
pub mod port;
