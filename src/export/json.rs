//! Our JSON export: the library as Hardcover Sync models it (see `docs/export.md`).

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::store::library::{CachedEdition, CachedRead, LibraryRow};

use super::{ExportError, STATUSES};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    books: Vec<Book<'a>>,
}

#[derive(Serialize)]
struct Book<'a> {
    book_id: i64,
    title: &'a str,
    subtitle: Option<&'a str>,
    authors: &'a [String],
    status_id: Option<i64>,
    status: Option<&'static str>,
    rating: Option<f64>,
    date_added: Option<&'a str>,
    edition: Option<&'a CachedEdition>,
    reads: &'a [CachedRead],
    lists: Vec<&'a str>,
    cover_url: Option<&'a str>,
    hardcover_slug: Option<&'a str>,
}

pub(super) fn write(
    rows: &[LibraryRow],
    lists: &HashMap<i64, String>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), ExportError> {
    let books = rows
        .iter()
        .map(|r| {
            let status_id = r.user_book.as_ref().map(|u| u.status_id);
            Book {
                book_id: r.book.id,
                title: &r.book.title,
                subtitle: r.book.subtitle.as_deref(),
                authors: &r.book.authors,
                status_id,
                status: status_id.and_then(|s| STATUSES.iter().find(|(i, _, _)| *i == s).map(|(_, n, _)| *n)),
                rating: r.user_book.as_ref().and_then(|u| u.rating),
                date_added: r.user_book.as_ref().and_then(|u| u.date_added.as_deref()),
                edition: r.edition.as_ref(),
                reads: &r.reads,
                lists: r.list_ids.iter().filter_map(|id| lists.get(id).map(String::as_str)).collect(),
                cover_url: r.book.cover_url.as_deref(),
                hardcover_slug: r.book.slug.as_deref(),
            }
        })
        .collect();
    let doc = Document {
        format: "hardcover-sync-export",
        version: FORMAT_VERSION,
        exported_at: chrono::Utc::now().to_rfc3339(),
        books,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    progress(rows.len(), rows.len());
    Ok(())
}
