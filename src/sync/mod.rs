//! The sync engine: match source items to Hardcover editions, plan (pure), push through the outbox.
//!
//! Flow of one sync (`run::sync_once`): settle what a crash left in the outbox
//! (`execute::Executor::recover`) → list the sources → `matching::match_items` (cache, bulk
//! identifier lookup, scored search) → the user's shelf and editions in bulk → `plan::plan` (pure;
//! a dry run stops here) → `execute::Executor::execute` (outbox, history, item_state) →
//! `summary::Summary`. `scheduler` runs it periodically. Hardcover is reached only through the
//! `port::HardcoverPort` trait; `client_port::ClientPort` implements it with the GraphQL client
//! (`App::sync` wires it up).

pub mod budget;
pub mod client_port;
pub mod execute;
pub mod journal;
pub mod matching;
pub mod normalize;
pub mod observe;
pub mod outbox;
pub mod plan;
pub mod port;
pub mod progress;
pub mod report;
pub mod run;
pub mod scheduler;
pub mod summary;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod rules_tests;
#[cfg(test)]
mod testing;
