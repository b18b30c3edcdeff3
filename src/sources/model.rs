//! The normalized item every source produces, and the trait every source implements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Audio,
    Ebook,
    /// Comics and manga: paged like ebooks, matched like books.
    Comic,
    Physical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Seconds,
    Pages,
}

impl Format {
    /// Audio is measured in seconds; everything else in pages.
    pub fn unit(self) -> Unit {
        match self {
            Format::Audio => Unit::Seconds,
            _ => Unit::Pages,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Audio => "audio",
            Format::Ebook => "ebook",
            Format::Comic => "comic",
            Format::Physical => "physical",
        }
    }
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Pages => "pages",
        }
    }
}

/// One book on one reading server, with the user's progress in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceItem {
    /// The configured source's `name`.
    pub source: String,
    /// The server's own id for the item (library item, book, chapter, document hash).
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub isbn13: Option<String>,
    pub isbn10: Option<String>,
    pub asin: Option<String>,
    pub format: Format,
    /// 0.0 ..= 1.0, clamped by the source parser.
    pub fraction: f64,
    /// Seconds (audio) or pages (text) when the server knows them.
    pub position: Option<f64>,
    pub total: Option<f64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub is_finished: bool,
    pub updated_at: Option<DateTime<Utc>>,
    /// 0.5 ..= 5.0 in halves, when the server has a rating for the item.
    pub rating: Option<f64>,
}

impl SourceItem {
    /// Seconds for audio, pages for everything else: what `position` and `total` count.
    pub fn unit(&self) -> Unit {
        self.format.unit()
    }
}

/// One highlight (with the note attached to it, if any) the user made in a book on a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    /// The [`SourceItem::id`] of the book it was made in.
    pub item_id: String,
    /// Stable across syncs and edits of the note (Kobo: BookmarkID; KOReader: book, creation time
    /// and a hash of the highlighted text), so a highlight is sent once and its edits update it.
    pub key: String,
    pub text: String,
    pub note: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// When the note was last edited, when the device records it.
    pub updated_at: Option<DateTime<Utc>>,
    pub chapter: Option<String>,
    /// Where in the book: a page when the device counts pages, else a fraction of the book.
    pub page: Option<u32>,
    pub fraction: Option<f64>,
}

impl Highlight {
    /// The journal entry's text: the highlight, then the note after a separator line.
    pub fn entry(&self) -> String {
        match &self.note {
            Some(note) => format!("{}\n\n---\n\n{note}", self.text),
            None => self.text.clone(),
        }
    }
}

/// What the from-Hardcover direction writes back to a source.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteBack {
    Progress { fraction: f64, position: Option<f64> },
    Finished { finished_at: Option<DateTime<Utc>> },
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    #[error("{source_name}: cannot reach {url}: {detail}")]
    Unreachable { source_name: String, url: String, detail: String },
    #[error(
        "{source_name}: the server rejected the credentials (HTTP {status}). Check the api key / password for this source"
    )]
    Unauthorized { source_name: String, status: u16 },
    #[error("{source_name}: HTTP {status} from {url}")]
    Http { source_name: String, url: String, status: u16 },
    #[error("{source_name}: unexpected response from {url}: {detail}. Is the url pointing at the right server?")]
    BadResponse { source_name: String, url: String, detail: String },
    #[error("{source_name}: {detail}")]
    Config { source_name: String, detail: String },
    #[error("{source_name}: {detail}")]
    Other { source_name: String, detail: String },
    /// Nothing failed, but writing back would do harm, so it was not done: `code` is the stable
    /// reason history shows (`cannot_place_position`, `source_is_further`).
    #[error("{source_name}: not written back ({code}): {detail}")]
    Declined { source_name: String, code: &'static str, detail: String },
}

impl SourceError {
    /// The configured source the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            SourceError::Unreachable { source_name, .. }
            | SourceError::Unauthorized { source_name, .. }
            | SourceError::Http { source_name, .. }
            | SourceError::BadResponse { source_name, .. }
            | SourceError::Config { source_name, .. }
            | SourceError::Other { source_name, .. }
            | SourceError::Declined { source_name, .. } => source_name,
        }
    }
}

#[async_trait]
pub trait ProgressSource: Send + Sync {
    /// The configured name, unique among sources.
    fn name(&self) -> &str;

    /// Every item the user has progress on, in progress and finished, all pages.
    async fn list(&self) -> Result<Vec<SourceItem>, SourceError>;

    /// Write Hardcover's state back to the server (from-Hardcover / bidirectional directions).
    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError>;

    /// The highlights and notes in the listed books. Only e-readers have them; reading servers
    /// keep none, so the default is empty.
    async fn highlights(&self) -> Result<Vec<Highlight>, SourceError> {
        Ok(Vec::new())
    }
}
