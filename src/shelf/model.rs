//! What the shelf browser shows, and how it is made from the cache's rows. These are the
//! contract: the window receives them as they are (camelCase JSON, TypeScript generated from
//! them), and the CLI's `--json` prints the same.

use serde::Serialize;

use crate::hardcover::ReadingFormat;
use crate::store::library::{CachedEdition, CachedRead, LibraryRow};

/// Which shelf to list: a reading status (1..=6) or one of the user's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShelfRef {
    Status(i64),
    List(i64),
}

/// One book in a shelf listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BookRow {
    pub user_book_id: Option<i64>,
    pub book_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub cover_url: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "StatusId | null"))]
    pub status_id: Option<i64>,
    pub rating: Option<f64>,
    /// 0–100, from the latest read (100 once that read is finished).
    pub progress: Option<f64>,
    /// From the user's edition.
    pub format: Option<BookFormat>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub isbn13: Option<String>,
    pub date_added: Option<String>,
    pub finished_at: Option<String>,
    /// The newest progress or read update (RFC 3339 or a date): what Currently Reading sorts by.
    pub last_activity: Option<String>,
    pub list_ids: Vec<i64>,
}

/// One "dates read" entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(rename = "Read"))]
pub struct ReadInfo {
    pub id: i64,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub progress: Option<f64>,
    pub progress_pages: Option<i64>,
    pub progress_seconds: Option<i64>,
    pub edition_id: Option<i64>,
}

/// One edition of a book.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(rename = "Edition"))]
pub struct EditionInfo {
    pub id: i64,
    pub title: Option<String>,
    pub format: Option<BookFormat>,
    pub pages: Option<i64>,
    pub audio_seconds: Option<i64>,
    pub isbn13: Option<String>,
    pub isbn10: Option<String>,
    pub asin: Option<String>,
}

/// A list the book is on, with the row id Hardcover needs to take it off again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(rename = "BookList"))]
pub struct ListMembership {
    pub list_id: i64,
    pub list_book_id: i64,
    pub name: String,
}

/// A reading-server item the sync matched to this book.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LinkedItem {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub method: String,
}

/// A [`BookRow`] plus everything the detail pane shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BookDetail {
    #[serde(flatten)]
    pub row: BookRow,
    pub subtitle: Option<String>,
    pub edition: Option<EditionInfo>,
    /// Newest first.
    pub reads: Vec<ReadInfo>,
    pub lists: Vec<ListMembership>,
    pub linked: Vec<LinkedItem>,
    /// The book's page on hardcover.app, when Hardcover gave it a usable address.
    pub hardcover_url: Option<String>,
}

/// A book Hardcover's search found (or a candidate match for a source item).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub book_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i64>,
    pub cover_url: Option<String>,
}

/// How a book on the shelf is read (its edition's format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BookFormat {
    Audio,
    Ebook,
    Physical,
    Comic,
}

/// `reading_format_id` as the shelf shows it. "Both" (print and e-book) shows as physical.
pub fn format_name(reading_format_id: Option<i64>) -> Option<BookFormat> {
    match ReadingFormat::from_id(reading_format_id?)? {
        ReadingFormat::Audio => Some(BookFormat::Audio),
        ReadingFormat::Ebook => Some(BookFormat::Ebook),
        ReadingFormat::Physical | ReadingFormat::Both => Some(BookFormat::Physical),
    }
}

/// Progress of the latest read: a finished read is 100 % even when Hardcover computed 0 (a
/// finish recorded without a page or second count).
fn progress_of(latest: Option<&CachedRead>) -> Option<f64> {
    let r = latest?;
    if r.finished_at.is_some() {
        return Some(100.0);
    }
    r.progress.map(|p| p.clamp(0.0, 100.0))
}

/// When the user last did something with the book: the shelf entry's last change (Hardcover bumps
/// it with each progress update) or a read's start, pause or finish day, whichever is newest.
/// ISO dates and RFC 3339 timestamps compare as text, a day sorting before the times within it.
fn last_activity(row: &LibraryRow) -> Option<String> {
    let reads = row.reads.iter().flat_map(|r| [&r.started_at, &r.paused_at, &r.finished_at]);
    let updated = row.user_book.as_ref().map(|u| &u.updated_at);
    updated.into_iter().chain(reads).filter_map(Option::as_deref).max().map(str::to_owned)
}

impl BookRow {
    pub fn from_library(row: &LibraryRow) -> Self {
        let ub = row.user_book.as_ref();
        let ed = row.edition.as_ref();
        Self {
            user_book_id: ub.map(|u| u.id),
            book_id: row.book.id,
            title: row.book.title.clone(),
            authors: row.book.authors.clone(),
            cover_url: ed.and_then(|e| e.cover_url.clone()).or_else(|| row.book.cover_url.clone()),
            status_id: ub.map(|u| u.status_id),
            rating: ub.and_then(|u| u.rating),
            // `reads` are newest first.
            progress: progress_of(row.reads.first()),
            format: format_name(ed.and_then(|e| e.reading_format_id)),
            pages: ed.and_then(|e| e.pages).or(row.book.pages),
            audio_seconds: ed.and_then(|e| e.audio_seconds),
            isbn13: ed.and_then(|e| e.isbn_13.clone()),
            date_added: ub.and_then(|u| u.date_added.clone()),
            finished_at: row.finished_at().map(str::to_owned),
            last_activity: last_activity(row),
            list_ids: row.list_ids.clone(),
        }
    }
}

impl From<&CachedRead> for ReadInfo {
    fn from(r: &CachedRead) -> Self {
        Self {
            id: r.id,
            started_at: r.started_at.clone(),
            finished_at: r.finished_at.clone(),
            progress: r.progress,
            progress_pages: r.progress_pages,
            progress_seconds: r.progress_seconds,
            edition_id: r.edition_id,
        }
    }
}

impl From<&CachedEdition> for EditionInfo {
    fn from(e: &CachedEdition) -> Self {
        Self {
            id: e.id,
            title: e.title.clone(),
            format: format_name(e.reading_format_id),
            pages: e.pages,
            audio_seconds: e.audio_seconds,
            isbn13: e.isbn_13.clone(),
            isbn10: e.isbn_10.clone(),
            asin: e.asin.clone(),
        }
    }
}

impl From<&crate::hardcover::Edition> for EditionInfo {
    fn from(e: &crate::hardcover::Edition) -> Self {
        Self {
            id: e.id,
            title: e.title.clone(),
            format: format_name(Some(e.reading_format_id)),
            pages: e.pages,
            audio_seconds: e.audio_seconds,
            isbn13: e.isbn_13.clone(),
            isbn10: e.isbn_10.clone(),
            asin: e.asin.clone(),
        }
    }
}
