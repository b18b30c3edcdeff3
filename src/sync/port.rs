//! What the sync engine needs from Hardcover, as a small trait.
//!
//! The engine (matching, plan, executor) only sees these types; the coordinator implements
//! [`HardcoverPort`] with the GraphQL client. Keeping the surface this narrow is what lets the
//! rules be proven against an in-memory fake that behaves like the real server (auto-created reads
//! on status changes included).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// `user_books.status_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    WantToRead,
    CurrentlyReading,
    Read,
    Paused,
    DidNotFinish,
    Ignored,
}

impl Status {
    pub fn id(self) -> i64 {
        match self {
            Status::WantToRead => 1,
            Status::CurrentlyReading => 2,
            Status::Read => 3,
            Status::Paused => 4,
            Status::DidNotFinish => 5,
            Status::Ignored => 6,
        }
    }

    pub fn from_id(id: i64) -> Option<Self> {
        Some(match id {
            1 => Status::WantToRead,
            2 => Status::CurrentlyReading,
            3 => Status::Read,
            4 => Status::Paused,
            5 => Status::DidNotFinish,
            6 => Status::Ignored,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::WantToRead => "Want to Read",
            Status::CurrentlyReading => "Currently Reading",
            Status::Read => "Read",
            Status::Paused => "Paused",
            Status::DidNotFinish => "Did Not Finish",
            Status::Ignored => "Ignored",
        }
    }
}

/// `editions.reading_format_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingFormat {
    Physical,
    Audio,
    Both,
    Ebook,
}

impl ReadingFormat {
    pub fn id(self) -> i64 {
        match self {
            ReadingFormat::Physical => 1,
            ReadingFormat::Audio => 2,
            ReadingFormat::Both => 3,
            ReadingFormat::Ebook => 4,
        }
    }

    pub fn from_id(id: i64) -> Option<Self> {
        Some(match id {
            1 => ReadingFormat::Physical,
            2 => ReadingFormat::Audio,
            3 => ReadingFormat::Both,
            4 => ReadingFormat::Ebook,
            _ => return None,
        })
    }
}

/// How Hardcover measures progress in an edition: it computes the percentage from this, so
/// progress must be sent in the same unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Seconds(i64),
    Pages(i64),
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Edition {
    pub id: i64,
    pub book_id: i64,
    pub title: Option<String>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub reading_format: Option<ReadingFormat>,
    pub isbn_10: Option<String>,
    pub isbn_13: Option<String>,
    pub asin: Option<String>,
}

impl Edition {
    /// The unit Hardcover computes this edition's progress from, or `None` when it has neither a
    /// page count nor a length (progress sent there would show 0%).
    pub fn measure(&self) -> Option<Measure> {
        let secs = self.audio_seconds.filter(|s| *s > 0).map(Measure::Seconds);
        let pages = self.pages.filter(|p| *p > 0).map(Measure::Pages);
        match self.reading_format {
            Some(ReadingFormat::Audio) => secs,
            Some(ReadingFormat::Physical | ReadingFormat::Ebook) => pages,
            // "Both" or unknown: whichever the edition actually has, pages first as Hardcover does.
            Some(ReadingFormat::Both) | None => pages.or(secs),
        }
    }

    pub fn is_audio(&self) -> bool {
        matches!(self.measure(), Some(Measure::Seconds(_)))
    }
}

/// One `user_book_reads` row.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Read {
    pub id: i64,
    pub edition_id: Option<i64>,
    pub progress_pages: Option<i64>,
    pub progress_seconds: Option<i64>,
    pub started_at: Option<NaiveDate>,
    pub finished_at: Option<NaiveDate>,
}

impl Read {
    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }
}

/// A book on the user's Hardcover shelf, with what the plan needs to decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserBook {
    pub id: i64,
    pub book_id: i64,
    pub status: Status,
    pub rating: Option<f64>,
    /// The edition the user chose. Never switched by the sync.
    pub edition: Option<Edition>,
    /// The most recent read (highest id), if any.
    pub latest_read: Option<Read>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One free-text search result (a book, not an edition).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchHit {
    pub book_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub isbns: Vec<String>,
    pub release_year: Option<i32>,
}

/// A new shelf entry (`insert_user_book`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewUserBook {
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub status: Status,
    pub rating: Option<f64>,
}

/// Changes to a shelf entry (`update_user_book`); `None` fields are left alone.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UserBookPatch {
    pub status: Option<Status>,
    pub rating: Option<f64>,
}

/// A read's fields (`DatesReadInput`). In a plan step `None` means "keep the read's value"; what
/// reaches [`HardcoverPort::update_read`] is always the read's COMPLETE new state (the executor
/// merges the step with the read it just fetched), so an update cannot wipe a start date or an
/// edition whatever the server does with omitted fields. Send every field, `null` included.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReadPatch {
    pub edition_id: Option<i64>,
    pub started_at: Option<NaiveDate>,
    pub finished_at: Option<NaiveDate>,
    pub progress_pages: Option<i64>,
    pub progress_seconds: Option<i64>,
}

impl ReadPatch {
    /// Whether `read` already holds everything this patch would write.
    pub fn is_applied_to(&self, read: &Read) -> bool {
        (self.started_at.is_none() || self.started_at == read.started_at)
            && self.finished_at == read.finished_at
            && (self.progress_pages.is_none() || self.progress_pages == read.progress_pages)
            && (self.progress_seconds.is_none() || self.progress_seconds == read.progress_seconds)
    }
}

/// A highlight's entry in the reading journal, as written (`insert_reading_journal`, always with
/// `event: quote` and no tags; an update sends `entry` and `metadata`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub entry: String,
    /// The day the highlight was made (the input type is a date).
    pub action_at: Option<NaiveDate>,
    /// The position in the book, as peers write it (`{"position": {…}}`).
    pub metadata: serde_json::Value,
    /// 1 public, 2 followers, 3 private.
    pub privacy: i64,
}

/// A `quote` entry of the user's journal as Hardcover has it now.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEntry {
    pub id: i64,
    pub book_id: i64,
    pub entry: String,
    pub action_at: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortError {
    #[error("cannot reach Hardcover: {0}. Check the network connection")]
    Offline(String),
    #[error("Hardcover's rate limit was reached{}", retry_after.map(|d| format!("; retry in {}s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("Hardcover rejected the token: reconnect your Hardcover account")]
    Unauthorized,
    #[error("Hardcover refused the change: {0}")]
    Rejected(String),
    #[error("Hardcover: {0}")]
    Other(String),
}

impl PortError {
    /// Errors after which nothing else in this sync can succeed: stop and retry later as a whole.
    pub fn stops_the_run(&self) -> bool {
        matches!(self, PortError::Offline(_) | PortError::RateLimited { .. } | PortError::Unauthorized)
    }

    /// Whether Hardcover answered and turned the request away, so a write that met this error
    /// certainly did not take effect. Only a lost connection leaves that open: the request may
    /// have arrived and still be processing.
    pub fn refused_before_taking_effect(&self) -> bool {
        !matches!(self, PortError::Offline(_))
    }
}

/// What the sync needs from Hardcover. Every method is one request (one top-level field) unless
/// its doc says otherwise; the executor budgets with that.
#[async_trait]
pub trait HardcoverPort: Send + Sync {
    /// Editions whose ASIN is in `asins` or whose ISBN-13 / ISBN-10 is in `isbns`, looked up with
    /// `_in` in one operation (two top-level fields at most): `editions(where:{asin:{_in:$asins}})`
    /// and `editions(where:{_or:[{isbn_13:{_in:$isbns}},{isbn_10:{_in:$isbns}}]})`. Either list
    /// may be empty (skip that field).
    async fn editions_by_identifiers(&self, asins: &[String], isbns: &[String]) -> Result<Vec<Edition>, PortError>;

    /// Free-text book search (`search(query:, query_type:"Book", per_page: ~10)`), hits mapped from
    /// the Typesense documents. One search per operation; `results: null` + `error` is an error.
    async fn search_books(&self, query: &str) -> Result<Vec<SearchHit>, PortError>;

    /// The user's shelf entries for these books, with edition and latest read. A book not in the
    /// answer is not on the shelf. `user_books(where:{user_id:{_eq:$me}, book_id:{_in:$ids}})
    /// { id book_id status_id rating updated_at edition{…} user_book_reads(order_by:{id:desc},
    /// limit:1){…} }` (depth 2).
    async fn user_books(&self, book_ids: &[i64]) -> Result<Vec<UserBook>, PortError>;

    /// All editions of these books (to pick a measurable edition in the source's format):
    /// `editions(where:{book_id:{_in:$ids}})`.
    async fn editions_of_books(&self, book_ids: &[i64]) -> Result<Vec<Edition>, PortError>;

    /// `insert_user_book(object:{book_id, edition_id, status_id, rating})`; returns the new
    /// user_book id. A non-null `error` in the payload is `PortError::Rejected`.
    async fn insert_user_book(&self, new: &NewUserBook) -> Result<i64, PortError>;

    /// [`insert_user_book`](Self::insert_user_book), also returning the reads the server created
    /// with the book when its answer shows them (status 2 / 3 open or finish one by itself), so
    /// the read can be dated without fetching it again. `None`: not shown, ask with `reads`.
    async fn insert_user_book_with_reads(&self, new: &NewUserBook) -> Result<(i64, Option<Vec<Read>>), PortError> {
        Ok((self.insert_user_book(new).await?, None))
    }

    /// `update_user_book(id, object:{status_id?, rating?})`: only the fields that are `Some`.
    async fn update_user_book(&self, user_book_id: i64, patch: &UserBookPatch) -> Result<(), PortError>;

    /// Every read of a user book, freshly fetched (to find the read the server made after a
    /// status change and to notice a duplicate).
    async fn reads(&self, user_book_id: i64) -> Result<Vec<Read>, PortError>;

    /// `insert_user_book_read(user_book_id, user_book_read:{…})`; returns the new read id. Only
    /// called when no read exists or the latest one is finished (a re-read).
    async fn insert_read(&self, user_book_id: i64, read: &ReadPatch) -> Result<i64, PortError>;

    /// `update_user_book_read(id, object:{…})`. `read` is the complete new state of the read
    /// (see [`ReadPatch`]).
    async fn update_read(&self, read_id: i64, read: &ReadPatch) -> Result<(), PortError>;

    /// The user's `quote` journal entries for these books (`reading_journals(where:{user_id,
    /// book_id:{_in}, event:{_eq:"quote"}})`, one request per 100 rows): what recovery compares
    /// an unanswered journal write with.
    async fn journal_entries(&self, _book_ids: &[i64]) -> Result<Vec<RemoteEntry>, PortError> {
        Err(PortError::Other("this connection cannot read the reading journal".into()))
    }

    /// `insert_reading_journal`; returns the new entry's id. A non-empty `errors` is `Rejected`.
    async fn insert_journal(&self, _entry: &JournalEntry) -> Result<i64, PortError> {
        Err(PortError::Other("this connection cannot write the reading journal".into()))
    }

    /// `update_reading_journal(id, {entry, metadata})`.
    async fn update_journal(&self, _id: i64, _entry: &JournalEntry) -> Result<(), PortError> {
        Err(PortError::Other("this connection cannot write the reading journal".into()))
    }

    /// `delete_reading_journal(id)`.
    async fn delete_journal(&self, _id: i64) -> Result<(), PortError> {
        Err(PortError::Other("this connection cannot write the reading journal".into()))
    }

    /// `edition_owned(id)`: the edition goes on the user's Owned list (asking twice keeps one row).
    async fn mark_owned(&self, _edition_id: i64) -> Result<(), PortError> {
        Err(PortError::Other("this connection cannot mark editions owned".into()))
    }

    /// Requests the sync may still spend today as Hardcover last reported it (its `RateLimit`
    /// header, minus a reserve for the user's other tools), or `None` when unknown. Read before
    /// each item, so a run that started with a guess defers work once the server says otherwise.
    fn budget_left(&self) -> Option<u32> {
        None
    }

    /// The user's shelf entries Hardcover changed after `since` (`user_books(where:{user_id,
    /// updated_at:{_gt:$since}})`, with edition and latest read; one request per 100 rows), so a
    /// sync that watches Hardcover asks only about what changed there. `None`: this port cannot
    /// tell, every book is looked at.
    async fn changed_since(&self, _since: DateTime<Utc>) -> Result<Option<Vec<UserBook>>, PortError> {
        Ok(None)
    }

    /// Hardcover's clock as of its latest answer, when known: the mark `changed_since` is
    /// later asked from, so clock skew between us and Hardcover cannot hide a change.
    fn server_time(&self) -> Option<DateTime<Utc>> {
        None
    }

    /// Top-level fields sent so far (what Hardcover bills), when the port counts them; the run's
    /// summary reports the difference. `None`: the engine counts one per call.
    fn fields_sent(&self) -> Option<u64> {
        None
    }
}

/// The latest read of a list: the highest id is the newest row.
pub fn latest(reads: &[Read]) -> Option<&Read> {
    reads.iter().max_by_key(|r| r.id)
}
