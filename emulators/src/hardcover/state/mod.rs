//! The emulator's in-memory database: typed rows, the automatic-read quirks, and the JSON each
//! row shows to GraphQL.

pub mod db;
pub mod model;
pub mod quirks;
pub mod rows;

pub use db::{AutoReadPolicy, Db};
pub use model::*;

/// The tables (Hasura types) the emulator can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Users,
    Authors,
    Books,
    Editions,
    ReadingFormats,
    Images,
    Contributions,
    UserBooks,
    UserBookReads,
    UserBookStatuses,
    Lists,
    ListBooks,
    ReadingJournals,
}

impl Table {
    /// The Hasura type name (`__typename`).
    pub fn type_name(self) -> &'static str {
        match self {
            Table::Users => "users",
            Table::Authors => "authors",
            Table::Books => "books",
            Table::Editions => "editions",
            Table::ReadingFormats => "reading_formats",
            Table::Images => "images",
            Table::Contributions => "contributions",
            Table::UserBooks => "user_books",
            Table::UserBookReads => "user_book_reads",
            Table::UserBookStatuses => "user_book_statuses",
            Table::Lists => "lists",
            Table::ListBooks => "list_books",
            Table::ReadingJournals => "reading_journals",
        }
    }
}
