//! Rows of the tables the emulator keeps, named and typed after Hardcover's Hasura schema so a
//! row serializes straight into the JSON a query projects from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `user_books.status_id`.
pub mod status {
    pub const WANT_TO_READ: i64 = 1;
    pub const CURRENTLY_READING: i64 = 2;
    pub const READ: i64 = 3;
    pub const PAUSED: i64 = 4;
    pub const DID_NOT_FINISH: i64 = 5;
    pub const IGNORED: i64 = 6;
}

/// `reading_format_id` values and their names (the `reading_formats` table).
pub mod format {
    pub const PHYSICAL: i64 = 1;
    pub const AUDIO: i64 = 2;
    pub const BOTH: i64 = 3;
    pub const EBOOK: i64 = 4;
    pub const ALL: &[(i64, &str)] =
        &[(PHYSICAL, "Physical Book"), (AUDIO, "Audiobook"), (BOTH, "Both"), (EBOOK, "E-Book")];
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Author {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub slug: String,
    pub description: Option<String>,
    pub release_year: Option<i64>,
    pub release_date: Option<NaiveDate>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub users_count: i64,
    pub rating: Option<f64>,
    /// Contributors in credit order (not a column: exposed as `contributions` and `cached_contributors`).
    #[serde(skip)]
    pub author_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Edition {
    pub id: i64,
    pub book_id: i64,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub isbn_10: Option<String>,
    pub isbn_13: Option<String>,
    pub asin: Option<String>,
    pub reading_format_id: i64,
    pub edition_format: Option<String>,
    pub physical_format: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub release_year: Option<i64>,
    pub users_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserBook {
    pub id: i64,
    pub user_id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub status_id: i64,
    pub rating: Option<f64>,
    pub privacy_setting_id: i64,
    pub owned: bool,
    pub private_notes: Option<String>,
    pub review_raw: Option<String>,
    pub date_added: NaiveDate,
    pub created_at: String,
    pub updated_at: String,
    pub first_started_reading_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserBookRead {
    pub id: i64,
    pub user_book_id: i64,
    pub edition_id: Option<i64>,
    pub started_at: Option<NaiveDate>,
    pub finished_at: Option<NaiveDate>,
    pub paused_at: Option<NaiveDate>,
    pub progress_pages: Option<i64>,
    pub progress_seconds: Option<i64>,
    pub finished_at_precision: Option<i64>,
}

impl UserBookRead {
    pub fn is_open(&self) -> bool {
        self.finished_at.is_none()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct List {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub privacy_setting_id: i64,
    pub ranked: bool,
    pub public: bool,
    pub default_view: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReadingJournal {
    pub id: i64,
    pub user_id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub event: String,
    pub entry: Option<String>,
    /// `timestamptz`: a `date` given on insert becomes midnight UTC of that day.
    pub action_at: String,
    pub metadata: serde_json::Value,
    pub privacy_setting_id: i64,
    pub object_type: String,
    pub likes_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ListBook {
    pub id: i64,
    pub list_id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub position: Option<i64>,
    pub date_added: String,
    pub created_at: String,
}
