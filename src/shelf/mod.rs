//! The shelf browser's operations, for the desktop shell's commands (and anything else).
//!
//! Offline first: listings and details come from the local cache; every write goes to Hardcover
//! first and then into the cache as Hardcover answered, so the window reflects it without a
//! re-import. Each operation is a plain function over [`crate::app::App`] returning the view
//! types of [`model`] (the window's payloads as they are) or a [`ShelfError`] with a stable code.

mod cache;
pub mod catalog;
pub mod cover_hosts;
pub mod covers;
pub mod error;
pub mod links;
pub mod lists;
pub mod model;
pub mod rows;
pub mod settings;
pub mod source_check;
pub mod unmatched;
pub mod write;

pub use catalog::{editions, search};
pub use cover_hosts::CoverHosts;
pub use covers::{cached_cover, cover_path};
pub use error::ShelfError;
pub use lists::{add_to_list, remove_from_list};
pub use model::{
    BookDetail, BookFormat, BookRow, EditionInfo, LinkedItem, ListMembership, ReadInfo, SearchHit, ShelfRef,
};
pub use rows::{book_detail, books, search_library};
pub use settings::{Settings, SourceSettings};
pub use source_check::{SourceTest, test_source};
pub use unmatched::{UnmatchedItem, unmatched_items};
pub use write::{set_rating, set_status, validate_rating};
