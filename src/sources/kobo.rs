//! A stock Kobo over USB: its library database, read from a copy.
//!
//! Books are `content` rows with `ContentType = 6` and no `BookID` (chapters carry their book's
//! id): store books have a UUID `ContentID`, side-loaded ones a `file:///mnt/onboard/…` one, and
//! both are read alike. Highlights and notes are `Bookmark` rows. The database is copied with its
//! `-wal` into a temporary folder before anything is read (see [`super::device`]); the device's
//! own file is never opened.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _};

use super::device::{self, DeviceKind, DeviceSnapshot, KOBO_DATABASE};
use super::model::{Format, Highlight, ProgressSource, SourceError, SourceItem, WriteBack};
use super::normalize;

/// One book row, with every column the mapping reads.
#[derive(Debug, Clone, PartialEq)]
pub struct KoboBook {
    pub content_id: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub isbn: Option<String>,
    pub language: Option<String>,
    /// `___PercentRead`, 0–100.
    pub percent_read: Option<f64>,
    /// 0 unread, 1 reading, 2 finished.
    pub read_status: i64,
    pub date_last_read: Option<DateTime<Utc>>,
    pub last_started: Option<DateTime<Utc>>,
    pub last_finished: Option<DateTime<Utc>>,
    /// The first `Event` recorded for the book: when it was first opened on this device.
    pub first_event: Option<DateTime<Utc>>,
    /// `TimeSpentReading`. Hardcover has no field for it; kept for the device list and the CLI.
    pub time_spent_seconds: Option<i64>,
}

impl KoboBook {
    /// A store book lives in `.kobo/kepub/`; a side-loaded one has a file path as its id.
    pub fn is_sideloaded(&self) -> bool {
        self.content_id.starts_with("file://")
    }

    fn has_progress(&self) -> bool {
        self.read_status > 0 || self.percent_read.is_some_and(|p| p > 0.0)
    }

    /// The normalized item for source `source`.
    pub fn to_item(&self, source: &str) -> SourceItem {
        let finished = self.read_status == 2;
        let isbns = self.isbn.as_deref().map(crate::identifiers::isbns).unwrap_or_default();
        SourceItem {
            source: source.to_owned(),
            id: self.content_id.clone(),
            title: self.title.clone().unwrap_or_else(|| title_from_path(&self.content_id)),
            subtitle: None,
            authors: self.author.iter().cloned().collect(),
            isbn13: isbns.isbn13,
            isbn10: isbns.isbn10,
            asin: None,
            format: Format::Ebook,
            // A finished book may keep its percentage below 100: ReadStatus is the truth.
            fraction: if finished { 1.0 } else { (self.percent_read.unwrap_or(0.0) / 100.0).clamp(0.0, 1.0) },
            position: None,
            total: None,
            started_at: self.last_started.or(self.first_event),
            // Older firmware leaves LastTimeFinishedReading empty; the last read is then the best
            // day we have, and always better than the day of the sync.
            finished_at: if finished { self.last_finished.or(self.date_last_read) } else { None },
            is_finished: finished,
            updated_at: self.date_last_read,
            rating: None,
        }
    }
}

/// Everything read from one copy of the database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KoboLibrary {
    pub books: Vec<KoboBook>,
    pub highlights: Vec<Highlight>,
}

impl KoboLibrary {
    /// Books the user has opened: unread store books are not progress.
    pub fn items(&self, source: &str) -> Vec<SourceItem> {
        self.books.iter().filter(|b| b.has_progress()).map(|b| b.to_item(source)).collect()
    }
}

/// Read the Kobo mounted at `root`: copy its database (and `-wal`) to a temporary folder, read the
/// copy, delete it.
pub fn read_device(root: &Path) -> Result<KoboLibrary, KoboError> {
    let db = root.join(KOBO_DATABASE);
    if !db.is_file() {
        return Err(KoboError::NotConnected(root.to_path_buf()));
    }
    let tmp = tempfile::tempdir().map_err(KoboError::Copy)?;
    let copy = device::copy_database(&db, tmp.path()).map_err(KoboError::Copy)?;
    read_database(&copy).map_err(|e| KoboError::Database(e.to_string()))
}

/// Read a database file that is already a copy (SQLite may write its `-shm` beside it).
pub fn read_database(path: &Path) -> rusqlite::Result<KoboLibrary> {
    let conn = Connection::open(path)?;
    let content = columns(&conn, "content")?;
    let has = |c: &str| content.iter().any(|x| x.eq_ignore_ascii_case(c));
    // ISBN arrived with database version 46; the finish/start columns on later firmware. Absent
    // columns read as NULL rather than failing the whole device.
    let col = |c: &str| if has(c) { c.to_owned() } else { "NULL".to_owned() };
    let has_event = table_exists(&conn, "Event")?;
    let first_event =
        if has_event { "(SELECT min(e.FirstOccurrence) FROM Event e WHERE e.ContentID = c.ContentID)" } else { "NULL" };
    let sql = format!(
        "SELECT c.ContentID, coalesce(c.Title, c.BookTitle), c.Attribution, {isbn}, {language}, c.___PercentRead,
                coalesce(c.ReadStatus, 0), c.DateLastRead, {started}, {finished}, {first_event}, {spent}
         FROM content c
         WHERE c.ContentType = '6' AND c.BookID IS NULL
         ORDER BY c.ContentID",
        isbn = col("ISBN"),
        language = col("Language"),
        started = col("LastTimeStartedReading"),
        finished = col("LastTimeFinishedReading"),
        spent = col("TimeSpentReading"),
    );
    let mut stmt = conn.prepare(&sql)?;
    let books = stmt
        .query_map([], |r| {
            let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
                Ok(normalize::from_iso(r.get::<_, Option<String>>(i)?.as_deref()))
            };
            Ok(KoboBook {
                content_id: r.get(0)?,
                title: normalize::text(r.get::<_, Option<String>>(1)?.as_deref()),
                author: normalize::text(r.get::<_, Option<String>>(2)?.as_deref()),
                isbn: normalize::text(r.get::<_, Option<String>>(3)?.as_deref()),
                language: normalize::text(r.get::<_, Option<String>>(4)?.as_deref()),
                percent_read: r.get::<_, Option<f64>>(5)?,
                read_status: r.get(6)?,
                date_last_read: time(7)?,
                last_started: time(8)?,
                last_finished: time(9)?,
                first_event: time(10)?,
                time_spent_seconds: r.get::<_, Option<i64>>(11)?.filter(|s| *s > 0),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let highlights = if table_exists(&conn, "Bookmark")? { read_bookmarks(&conn)? } else { Vec::new() };
    Ok(KoboLibrary { books, highlights })
}

fn read_bookmarks(conn: &Connection) -> rusqlite::Result<Vec<Highlight>> {
    let cols = columns(conn, "Bookmark")?;
    // Dog-ears and drawn markup carry no text; older firmware has no Type column at all, and its
    // dog-ears are rows without text too.
    let type_filter = if cols.iter().any(|c| c.eq_ignore_ascii_case("Type")) {
        "AND coalesce(b.Type, 'highlight') IN ('highlight', 'note')"
    } else {
        ""
    };
    let sql = format!(
        "SELECT b.BookmarkID, b.VolumeID, b.Text, b.Annotation, b.DateCreated, b.DateModified, ch.Title
         FROM Bookmark b LEFT JOIN content ch ON ch.ContentID = b.ContentID
         WHERE (b.Hidden IS NULL OR b.Hidden IN ('false', 0)) AND trim(coalesce(b.Text, '')) <> '' {type_filter}
         ORDER BY b.VolumeID, b.DateCreated, b.BookmarkID"
    );
    let mut stmt = conn.prepare(&sql)?;
    stmt.query_map([], |r| {
        Ok(Highlight {
            key: r.get(0)?,
            item_id: r.get(1)?,
            text: r.get::<_, String>(2)?.trim().to_owned(),
            note: normalize::text(r.get::<_, Option<String>>(3)?.as_deref()),
            created_at: normalize::from_iso(r.get::<_, Option<String>>(4)?.as_deref()),
            updated_at: normalize::from_iso(r.get::<_, Option<String>>(5)?.as_deref()),
            chapter: normalize::text(r.get::<_, Option<String>>(6)?.as_deref()),
            page: None,
            fraction: None,
        })
    })?
    .collect()
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    stmt.query_map([], |r| r.get::<_, String>(1))?.collect()
}

fn table_exists(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// A side-loaded book without a title row: its file name.
fn title_from_path(content_id: &str) -> String {
    let name = content_id.rsplit('/').next().unwrap_or(content_id);
    name.trim_end_matches(".epub").trim_end_matches(".kepub").to_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum KoboError {
    #[error("no Kobo is connected at {}: plug it in and choose \"Connect\" on the device, or fix `path`", .0.display())]
    NotConnected(PathBuf),
    #[error("cannot copy the Kobo's library database: {0}")]
    Copy(std::io::Error),
    #[error("cannot read the Kobo's library database: {0}. Unplug the Kobo, open a book on it, and plug it in again")]
    Database(String),
}

/// The `kind: kobo` source: a fixed `path`, or the first mounted Kobo found.
pub struct Kobo {
    device: DeviceSnapshot<KoboLibrary>,
}

impl Kobo {
    pub fn new(name: &str, path: Option<PathBuf>) -> Self {
        Self { device: DeviceSnapshot::new(name, DeviceKind::Kobo, path) }
    }

    /// Look for mounted devices under these folders instead of the desktop's (tests, demo).
    pub fn with_mount_parents(self, parents: Vec<PathBuf>) -> Self {
        Self { device: self.device.with_mount_parents(parents) }
    }
}

#[async_trait]
impl ProgressSource for Kobo {
    fn name(&self) -> &str {
        self.device.name()
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        Ok(self.device.take(read_device).await?.items(self.name()))
    }

    async fn highlights(&self) -> Result<Vec<Highlight>, SourceError> {
        Ok(self.device.latest(read_device).await?.highlights.clone())
    }

    async fn write_back(&self, _item_id: &str, _update: &WriteBack) -> Result<(), SourceError> {
        Err(SourceError::Declined {
            source_name: self.name().to_owned(),
            code: "device_read_only",
            detail: "Hardcover Sync never writes to an e-reader".into(),
        })
    }
}
