//! The sync engine: match source items to Hardcover editions, plan (pure), push through the outbox.
//!
//! Flow: `matching::match_items` → `plan::plan` (pure; a dry run prints it) →
//! `outbox::enqueue_plan` → executor → `summary::Summary`. `scheduler` runs it periodically.

pub mod execute;
pub mod matching;
pub mod normalize;
pub mod outbox;
pub mod plan;
pub mod port;
pub mod progress;
mod pull;
mod push;
pub mod run;
pub mod scheduler;
pub mod summary;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod rules_tests;
#[cfg(test)]
mod testing;
