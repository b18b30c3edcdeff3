//! Export shelves and lists from the local library cache: a Goodreads-compatible CSV (so Goodreads'
//! and StoryGraph's importers accept it) and our own JSON model (documented in `docs/export.md`).
//!
//! Export reads only the local database, so it works offline; run an import first for fresh data.

mod goodreads;
mod json;

use std::collections::HashMap;
use std::io::Write;

use crate::store::library::{LibraryRow, Selection};
use crate::store::{Store, StoreError};

pub use goodreads::GOODREADS_HEADER;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Payload of the window's `export-progress` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

/// What an export wrote, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub rows: u32,
    pub path: String,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown export format {other:?}: use csv or json")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Selection(String),
}

/// Hardcover's reading statuses by id, with the shelf names Goodreads-style importers know.
pub const STATUSES: [(i64, &str, &str); 6] = [
    (1, "Want to Read", "to-read"),
    (2, "Currently Reading", "currently-reading"),
    (3, "Read", "read"),
    (4, "Paused", "paused"),
    (5, "Did Not Finish", "did-not-finish"),
    (6, "Ignored", "ignored"),
];

/// Status id for a status name or shelf slug, as users type them (`read`, `Want to Read`, `to-read`).
pub fn status_id_for(name: &str) -> Option<i64> {
    let key: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    STATUSES.iter().find_map(|(id, label, slug)| {
        let l: String = label.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let s: String = slug.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        (key == l || key == s).then_some(*id)
    })
}

/// Export the selected books to `out`. `progress(done, total)` is called as rows are written so
/// the UI can show a progress bar for large exports. Returns the number of books written.
pub fn export(
    store: &Store,
    selection: &Selection,
    format: ExportFormat,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let rows = store.library_rows(selection)?;
    let lists: HashMap<i64, String> = store.lists()?.into_iter().map(|l| (l.id, l.name)).collect();
    match format {
        ExportFormat::Csv => goodreads::write(&rows, &lists, out, progress)?,
        ExportFormat::Json => json::write(&rows, &lists, out, progress)?,
    }
    Ok(rows.len())
}

fn status_slug(row: &LibraryRow) -> Option<&'static str> {
    let id = row.user_book.as_ref()?.status_id;
    STATUSES.iter().find(|(i, _, _)| *i == id).map(|(_, _, slug)| *slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_forgiving() {
        assert_eq!(status_id_for("read"), Some(3));
        assert_eq!(status_id_for("Want to Read"), Some(1));
        assert_eq!(status_id_for("to-read"), Some(1));
        assert_eq!(status_id_for("did-not-finish"), Some(5));
        assert_eq!(status_id_for("currently reading"), Some(2));
        assert_eq!(status_id_for("nope"), None);
    }

    #[test]
    fn formats_parse() {
        assert_eq!("CSV".parse::<ExportFormat>().unwrap(), ExportFormat::Csv);
        assert!("xml".parse::<ExportFormat>().unwrap_err().contains("csv or json"));
    }
}
