//! Reading servers: where progress comes from (and, for the from-Hardcover direction, goes back to).
//!
//! One [`ProgressSource`] per configured server; each module turns its server's shapes into the
//! normalized [`SourceItem`].

pub mod model;

pub use model::{Format, ProgressSource, SourceError, SourceItem, Unit, WriteBack};
