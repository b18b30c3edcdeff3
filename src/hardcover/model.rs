//! Plain data the rest of the app works with, so nothing outside this module touches the
//! generated GraphQL types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// `user_books.status_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingStatus {
    WantToRead = 1,
    CurrentlyReading = 2,
    Read = 3,
    Paused = 4,
    DidNotFinish = 5,
    Ignored = 6,
}

impl ReadingStatus {
    pub const ALL: [ReadingStatus; 6] =
        [Self::WantToRead, Self::CurrentlyReading, Self::Read, Self::Paused, Self::DidNotFinish, Self::Ignored];

    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn from_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::WantToRead => "Want to Read",
            Self::CurrentlyReading => "Currently Reading",
            Self::Read => "Read",
            Self::Paused => "Paused",
            Self::DidNotFinish => "Did Not Finish",
            Self::Ignored => "Ignored",
        }
    }
}

/// `editions.reading_format_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingFormat {
    Physical = 1,
    Audio = 2,
    Both = 3,
    Ebook = 4,
}

impl ReadingFormat {
    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn from_id(id: i64) -> Option<Self> {
        [Self::Physical, Self::Audio, Self::Both, Self::Ebook].into_iter().find(|f| f.id() == id)
    }

    /// Progress on Hardcover is computed from seconds for audio editions, pages otherwise.
    pub fn is_audio(self) -> bool {
        matches!(self, Self::Audio)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Me {
    pub id: i64,
    pub username: Option<String>,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Book {
    pub id: i64,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub slug: Option<String>,
    /// Primary authors, from `cached_contributors`.
    pub authors: Vec<String>,
    pub image_url: Option<String>,
    pub pages: Option<i64>,
    pub release_year: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edition {
    pub id: i64,
    pub book_id: i64,
    pub title: Option<String>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub reading_format_id: i64,
    /// `None` for an id outside 1..=4.
    pub reading_format: Option<ReadingFormat>,
    pub edition_format: Option<String>,
    pub isbn_10: Option<String>,
    pub isbn_13: Option<String>,
    pub asin: Option<String>,
    pub release_year: Option<i64>,
    pub image_url: Option<String>,
    /// Filled by the identifier lookup and `book_editions`; `None` inside a [`UserBook`].
    pub book: Option<Book>,
}

/// One `user_book_reads` row: a "dates read" entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Read {
    pub id: i64,
    pub user_book_id: i64,
    pub edition_id: Option<i64>,
    /// 0–100, computed by Hardcover from the edition's pages or seconds.
    pub progress: Option<f64>,
    pub progress_pages: Option<i64>,
    pub progress_seconds: Option<i64>,
    pub started_at: Option<NaiveDate>,
    pub finished_at: Option<NaiveDate>,
    pub paused_at: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserBook {
    pub id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub status_id: i64,
    /// `None` for an id outside 1..=6.
    pub status: Option<ReadingStatus>,
    /// 0–5 in halves.
    pub rating: Option<f64>,
    pub date_added: NaiveDate,
    pub updated_at: Option<DateTime<Utc>>,
    pub book: Book,
    pub edition: Option<Edition>,
    /// Newest first (by id); as many as asked for.
    pub reads: Vec<Read>,
}

impl UserBook {
    /// The read the sync should update (the newest one).
    pub fn latest_read(&self) -> Option<&Read> {
        self.reads.first()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct List {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub books_count: i64,
    pub privacy_setting_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListBook {
    pub id: i64,
    pub list_id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub position: Option<i64>,
    pub date_added: Option<DateTime<Utc>>,
    pub book: Book,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub book_id: i64,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub slug: Option<String>,
    pub author_names: Vec<String>,
    pub isbns: Vec<String>,
    pub release_year: Option<i64>,
    pub users_count: Option<i64>,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Total matches Typesense found (more than `hits` when there are further pages).
    pub found: i64,
    pub page: i64,
    pub hits: Vec<SearchHit>,
}

/// How many books the user has on each shelf.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub want_to_read: i64,
    pub currently_reading: i64,
    pub read: i64,
    pub paused: i64,
    pub did_not_finish: i64,
    pub ignored: i64,
}

impl StatusCounts {
    pub fn get(&self, status: ReadingStatus) -> i64 {
        match status {
            ReadingStatus::WantToRead => self.want_to_read,
            ReadingStatus::CurrentlyReading => self.currently_reading,
            ReadingStatus::Read => self.read,
            ReadingStatus::Paused => self.paused,
            ReadingStatus::DidNotFinish => self.did_not_finish,
            ReadingStatus::Ignored => self.ignored,
        }
    }

    pub fn set(&mut self, status: ReadingStatus, n: i64) {
        *match status {
            ReadingStatus::WantToRead => &mut self.want_to_read,
            ReadingStatus::CurrentlyReading => &mut self.currently_reading,
            ReadingStatus::Read => &mut self.read,
            ReadingStatus::Paused => &mut self.paused,
            ReadingStatus::DidNotFinish => &mut self.did_not_finish,
            ReadingStatus::Ignored => &mut self.ignored,
        } = n;
    }

    pub fn total(&self) -> i64 {
        ReadingStatus::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// A field of an update: leave it alone, set it, or clear it (send `null`).
///
/// Updates must say exactly what changes: sending `edition_id` the user did not ask to change
/// switches their edition behind their back, and `rating: null` clears a rating.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Set(T),
    Clear,
}

impl<T> Change<T> {
    pub fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }
}

impl<T: Serialize> Serialize for Change<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Skipped by `skip_serializing_if`; `null` only if someone forgets that.
            Self::Keep | Self::Clear => s.serialize_none(),
            Self::Set(v) => v.serialize(s),
        }
    }
}

/// `UserBookCreateInput`: a book to add to the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUserBook {
    pub book_id: i64,
    /// Give the edition that matched the source; `None` lets Hardcover pick its default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition_id: Option<i64>,
    #[serde(rename = "status_id", skip_serializing_if = "Option::is_none", serialize_with = "ser_status")]
    pub status: Option<ReadingStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_added: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_setting_id: Option<i64>,
}

impl NewUserBook {
    pub fn new(book_id: i64) -> Self {
        Self { book_id, edition_id: None, status: None, rating: None, date_added: None, privacy_setting_id: None }
    }
}

/// `UserBookUpdateInput`: only what is set is sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserBookChanges {
    #[serde(rename = "status_id", skip_serializing_if = "Option::is_none", serialize_with = "ser_status")]
    pub status: Option<ReadingStatus>,
    /// Changing the edition is the user's decision only: the sync keeps theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition_id: Option<i64>,
    #[serde(skip_serializing_if = "Change::is_keep", serialize_with = "ser_change")]
    pub rating: Change<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_added: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_setting_id: Option<i64>,
}

impl UserBookChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `DatesReadInput`: the dates and progress of one read. Only what is set is sent, so an update
/// that carries progress never erases a start date.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DatesRead {
    /// The edition the progress is counted against. Keep the user's edition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition_id: Option<i64>,
    #[serde(skip_serializing_if = "Change::is_keep", serialize_with = "ser_change")]
    pub started_at: Change<NaiveDate>,
    /// When the user finished (from the source), never the day the sync ran.
    #[serde(skip_serializing_if = "Change::is_keep", serialize_with = "ser_change")]
    pub finished_at: Change<NaiveDate>,
    /// For text editions (scaled to the edition's page count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_pages: Option<i64>,
    /// For audio editions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_seconds: Option<i64>,
}

/// `ListBookInput`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewListBook {
    pub list_id: i64,
    pub book_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

fn ser_status<S: serde::Serializer>(status: &Option<ReadingStatus>, s: S) -> Result<S::Ok, S::Error> {
    match status {
        Some(st) => s.serialize_i64(st.id()),
        None => s.serialize_none(),
    }
}

fn ser_change<T: Serialize, S: serde::Serializer>(c: &Change<T>, s: S) -> Result<S::Ok, S::Error> {
    c.serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_match_hardcover() {
        let ids: Vec<i64> = ReadingStatus::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 5, 6], "status ids are Hardcover's 1..6");
        assert_eq!(ReadingFormat::from_id(2), Some(ReadingFormat::Audio), "reading_format_id 2 is audio");
        assert_eq!(ReadingFormat::from_id(4), Some(ReadingFormat::Ebook), "reading_format_id 4 is ebook");
        assert_eq!(ReadingStatus::from_id(7), None);
    }

    #[test]
    fn updates_send_only_what_changes() {
        let c = UserBookChanges { status: Some(ReadingStatus::Read), ..Default::default() };
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"status_id": 3}),
            "an update must not mention the edition or rating unless they change"
        );
        let c = UserBookChanges { rating: Change::Clear, ..Default::default() };
        assert_eq!(serde_json::to_value(&c).unwrap(), json!({"rating": null}), "clearing a rating sends null");
        let d = DatesRead { progress_pages: Some(120), ..Default::default() };
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"progress_pages": 120}),
            "a progress update must not erase the read's dates"
        );
        let d =
            DatesRead { finished_at: Change::Set(NaiveDate::from_ymd_opt(2024, 3, 9).unwrap()), ..Default::default() };
        assert_eq!(serde_json::to_value(&d).unwrap(), json!({"finished_at": "2024-03-09"}));
    }
}

/// `ReadingJournalCreateType`: one entry of the user's reading journal (a highlight is a `quote`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewReadingJournal {
    pub book_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition_id: Option<i64>,
    pub event: String,
    pub entry: String,
    /// A day: the input type is `date`, though the entry stores a timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_at: Option<NaiveDate>,
    pub metadata: serde_json::Value,
    /// 1 public, 2 followers, 3 private.
    pub privacy_setting_id: i64,
    /// Required by the schema; no tags are sent.
    pub tags: Vec<serde_json::Value>,
}

/// `ReadingJournalUpdateType`: what an edited highlight changes (the entry is sent whole).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadingJournalChanges {
    pub entry: String,
    pub metadata: serde_json::Value,
}

/// A journal entry as `reading_journals` answers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReadingJournal {
    pub id: i64,
    pub book_id: Option<i64>,
    pub edition_id: Option<i64>,
    pub event: Option<String>,
    pub entry: Option<String>,
    pub action_at: Option<String>,
}
