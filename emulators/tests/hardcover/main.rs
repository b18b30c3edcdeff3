//! The Hardcover emulator over real HTTP on loopback: shapes, quirks, limits and knobs.

mod support;

mod journals;
mod knobs;
mod limits;
mod mutations;
mod queries;
mod quirks;
