//! The sync engine: match source items to Hardcover editions, plan (pure), push through the outbox.

pub mod matching;
pub mod normalize;
pub mod port;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod testing;
