//! KOReader sync server (kosync protocol).
//!
//! The server has no listing and no metadata: it stores a percentage per document id, where the
//! id is KOReader's partial MD5 of the file (or, in "filename" mode, the MD5 of its name). So the
//! user's config lists the folders holding their book files; we hash each file (cached in
//! `kosync_files` by path, size and mtime, so a rescan reads nothing new), read title, authors and
//! ISBN from EPUBs, and ask the server for each document, trying the partial MD5 first and the
//! filename MD5 second. Auth is `x-auth-user` plus `x-auth-key` = MD5 of the password.
//!
//! Write-back sends a position KOReader can open (see [`position`]), and reads the document
//! again first: the server keeps the last write, not the furthest.

pub mod epub;
mod errors;
pub mod hash;
pub mod position;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use async_trait::async_trait;
use futures::StreamExt as _;
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::http::{Http, secret_header};
use super::model::{Format, ProgressSource, SourceError, SourceItem, WriteBack};
use super::normalize;
use super::parse::{ParseError, json, lenient_f64};
use crate::identifiers;
use crate::secret::Secret;
use crate::store::Store;
use crate::store::kosync_files::KosyncFile;

const ACCEPT: &str = "application/vnd.koreader.v1+json";
/// What KOReader opens, lowercase.
const BOOK_EXTENSIONS: &[&str] = &[
    "epub", "kepub", "pdf", "djvu", "cbz", "cbr", "cbt", "mobi", "azw", "azw3", "fb2", "txt", "docx", "rtf", "chm",
    "xps",
];
const CONCURRENT_LOOKUPS: usize = 8;
const DEVICE: &str = "Hardcover Sync";

pub struct Kosync {
    http: Http,
    user: String,
    key: Secret,
    library: Vec<PathBuf>,
    store: Arc<Store>,
}

/// One book file in the user's library, with its document ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBook {
    pub path: PathBuf,
    pub partial_md5: String,
    pub filename_md5: String,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub isbn: Option<String>,
}

/// What a scan did: how many files it found, and how many it had to read versus took from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub files: usize,
    pub hashed: usize,
    pub cached: usize,
}

/// `GET /syncs/progress/:document`: `{}` when the server has nothing for the document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KosyncProgress {
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub percentage: Option<f64>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub timestamp: Option<f64>,
}

pub fn parse_progress(body: &[u8]) -> Result<Option<KosyncProgress>, ParseError> {
    let p: KosyncProgress = json(body)?;
    Ok(p.percentage.is_some().then_some(p))
}

/// `GET /users/auth` → `{"authorized":"OK"}`.
pub fn parse_auth(body: &[u8]) -> Result<(), ParseError> {
    #[derive(Deserialize)]
    struct Auth {
        authorized: String,
    }
    let a: Auth = json(body)?;
    if a.authorized == "OK" { Ok(()) } else { Err(ParseError(format!("authorized is {:?}, not \"OK\"", a.authorized))) }
}

/// The `x-auth-key` KOReader sends: MD5 of the password, lowercase hex.
pub fn auth_key(password: &Secret) -> Secret {
    Secret::new(hash::hex(&Md5::digest(password.expose().as_bytes())))
}

/// Find the book files under `roots`, hashing only those not in the cache with the same size
/// and mtime. Blocking: run it off the async runtime.
pub fn scan_library(roots: &[PathBuf], store: &Store) -> Result<(Vec<LocalBook>, ScanStats), String> {
    let mut files = Vec::new();
    for root in roots {
        if !root.is_dir() {
            return Err(format!("library folder {} does not exist or is not a folder", root.display()));
        }
        walk(root, &mut files);
    }
    files.sort();
    let mut stats = ScanStats { files: files.len(), ..ScanStats::default() };
    let mut books = Vec::with_capacity(files.len());
    for path in files {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        let size = meta.len() as i64;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64);
        let key = path.to_string_lossy().into_owned();
        let cached = store.kosync_file(&key).map_err(|e| e.to_string())?;
        let row = match cached {
            Some(row) if row.size == size && row.mtime == mtime => {
                stats.cached += 1;
                row
            }
            _ => {
                let partial = match hash::partial_md5_file(&path) {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::warn!("kosync: cannot read {}: {e}", path.display());
                        continue;
                    }
                };
                stats.hashed += 1;
                let meta = if extension(&path) == "epub" || extension(&path) == "kepub" {
                    std::fs::File::open(&path)
                        .map_err(|e| e.to_string())
                        .and_then(|f| epub::read_epub(std::io::BufReader::new(f)).map_err(|e| e.to_string()))
                } else {
                    Ok(epub::EpubMeta::default())
                }
                .unwrap_or_else(|e| {
                    tracing::warn!("kosync: no metadata from {}: {e}", path.display());
                    epub::EpubMeta::default()
                });
                let row = KosyncFile {
                    path: key,
                    size,
                    mtime,
                    partial_md5: partial,
                    filename_md5: hash::filename_md5(&path),
                    title: meta.title,
                    authors: meta.authors,
                    isbn: meta.isbn,
                };
                store.kosync_file_put(&row).map_err(|e| e.to_string())?;
                row
            }
        };
        books.push(LocalBook {
            path,
            partial_md5: row.partial_md5,
            filename_md5: row.filename_md5,
            title: row.title,
            authors: row.authors,
            isbn: row.isbn,
        });
    }
    Ok((books, stats))
}

fn extension(path: &Path) -> String {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
}

/// Every book file below `dir`. Hidden entries are skipped, and symlinked folders are not
/// followed (a link to a parent would loop forever).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, out);
        } else if (ft.is_file() || ft.is_symlink() && path.is_file())
            && BOOK_EXTENSIONS.contains(&extension(&path).as_str())
        {
            out.push(path);
        }
    }
}

pub fn to_source_item(
    source: &str,
    book: &LocalBook,
    document: &str,
    p: &KosyncProgress,
) -> Result<SourceItem, String> {
    let fraction = normalize::fraction(p.percentage.unwrap_or(0.0))?;
    let isbns = book.isbn.as_deref().map(identifiers::isbns).unwrap_or_default();
    let ext = extension(&book.path);
    let finished = fraction >= 1.0;
    let updated = normalize::from_epoch_s(p.timestamp);
    Ok(SourceItem {
        source: source.into(),
        id: document.into(),
        title: book
            .title
            .clone()
            .or_else(|| book.path.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "(untitled)".into()),
        subtitle: None,
        authors: book.authors.clone(),
        isbn13: isbns.isbn13,
        isbn10: isbns.isbn10,
        asin: None,
        format: if matches!(ext.as_str(), "cbz" | "cbr" | "cbt") { Format::Comic } else { Format::Ebook },
        fraction,
        position: None,
        total: None,
        started_at: None,
        // KOReader syncs no finish date; the last sync of a book at 100% is the best we have.
        finished_at: if finished { updated } else { None },
        is_finished: finished,
        updated_at: updated,
        rating: None,
    })
}

impl Kosync {
    pub fn new(
        name: &str,
        url: &Url,
        user: &str,
        password: &Secret,
        library: Vec<PathBuf>,
        store: Arc<Store>,
    ) -> Result<Self, SourceError> {
        Ok(Self { http: Http::new(name, url)?, user: user.into(), key: auth_key(password), library, store })
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        rb.header("x-auth-user", &self.user)
            .header("x-auth-key", secret_header(self.key.expose()))
            .header("Accept", ACCEPT)
    }

    /// The server's progress for one document, or `None` (`{}`, or a JSON 404 on some
    /// third-party servers; the reference server's HTML 404 means a wrong URL).
    async fn progress(&self, document: &str) -> Result<Option<KosyncProgress>, SourceError> {
        let reply = self.http.fetch(self.auth(self.http.get(&format!("/syncs/progress/{document}")))).await?;
        if reply.status.as_u16() == 404 && !errors::is_html(&reply) {
            return Ok(None);
        }
        let reply = errors::check(&self.http, reply)?;
        self.http.parse(&reply, parse_progress)
    }

    /// The position KOReader can open for `fraction` of the document, from the user's file.
    async fn place(&self, document: &str, fraction: f64) -> Result<String, SourceError> {
        let store = self.store.clone();
        let doc = document.to_owned();
        let placed = tokio::task::spawn_blocking(move || -> Result<String, position::Unplaceable> {
            let file = store
                .kosync_file_by_document(&doc)
                .map_err(|e| position::Unplaceable(format!("the library cache cannot be read: {e}")))?
                .ok_or_else(|| {
                    position::Unplaceable(
                        "no book file in the library folders has this document id (rescanned on the next sync)".into(),
                    )
                })?;
            position::locate(Path::new(&file.path), fraction)
        })
        .await
        .map_err(|e| self.http.other(format!("placing the position stopped: {e}")))?;
        placed.map_err(|e| SourceError::Declined {
            source_name: self.name().into(),
            code: "cannot_place_position",
            detail: format!("{e}; KOReader opens only a real position, so nothing was sent"),
        })
    }
}

#[async_trait]
impl ProgressSource for Kosync {
    fn name(&self) -> &str {
        &self.http.name
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        // Checked first so a wrong password is reported as such even with an empty library.
        let reply = self.http.fetch(self.auth(self.http.get("/users/auth"))).await?;
        let reply = errors::check(&self.http, reply)?;
        self.http.parse(&reply, parse_auth)?;

        let roots = self.library.clone();
        let store = self.store.clone();
        let (books, stats) = tokio::task::spawn_blocking(move || scan_library(&roots, &store))
            .await
            .map_err(|e| self.http.other(format!("library scan stopped: {e}")))?
            .map_err(|detail| SourceError::Config { source_name: self.name().into(), detail })?;
        tracing::debug!(source = self.name(), ?stats, "library scanned");

        let results: Vec<Result<Option<SourceItem>, SourceError>> = futures::stream::iter(books)
            .map(|book| async move {
                for doc in [&book.partial_md5, &book.filename_md5] {
                    if let Some(p) = self.progress(doc).await? {
                        return Ok(match to_source_item(self.name(), &book, doc, &p) {
                            Ok(item) => Some(item),
                            Err(reason) => {
                                tracing::warn!(source = self.name(), file = %book.path.display(), "skipping: {reason}");
                                None
                            }
                        });
                    }
                }
                Ok(None)
            })
            .buffered(CONCURRENT_LOOKUPS)
            .collect()
            .await;
        results.into_iter().filter_map(Result::transpose).collect()
    }

    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        let fraction = match update {
            WriteBack::Finished { .. } => 1.0,
            WriteBack::Progress { fraction, .. } => normalize::fraction(*fraction).map_err(|e| self.http.other(e))?,
        };
        let percentage = position::koreader_percentage(fraction);
        let progress = self.place(item_id, fraction).await?;
        // The server keeps the last write, not the furthest: read just before writing so a
        // device that moved on since the listing is never sent back.
        if let Some(current) = self.progress(item_id).await?
            && let Some(at) = current.percentage
            && at >= percentage
        {
            return Err(SourceError::Declined {
                source_name: self.name().into(),
                code: "source_is_further",
                detail: format!(
                    "KOReader is already at {:.1}%{} and Hardcover says {:.1}%; the server keeps the last write, so sending it would move the reader back",
                    at * 100.0,
                    current.device.as_deref().map(|d| format!(" on {d}")).unwrap_or_default(),
                    percentage * 100.0
                ),
            });
        }
        let body = json!({
            "document": item_id,
            "progress": progress,
            "percentage": percentage,
            "device": DEVICE,
            "device_id": hash::hex(&Md5::digest(DEVICE.as_bytes())),
        });
        let reply = self.http.fetch(self.auth(self.http.put("/syncs/progress")).json(&body)).await?;
        errors::check(&self.http, reply)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_as_the_reference_server_returns_them() {
        let pct = |body: &str| parse_progress(body.as_bytes()).unwrap().and_then(|p| p.percentage);
        assert_eq!(pct(r#"{"percentage":0.12345678901235,"progress":"p"}"#), Some(0.123_456_789_012_35), "14 digits");
        assert_eq!(pct(r#"{"percentage":1,"progress":"12"}"#), Some(1.0), "finished comes back as the integer 1");
        assert_eq!(pct(r#"{"percentage":0,"progress":"0"}"#), Some(0.0), "the start comes back as the integer 0");
        assert_eq!(pct(r#"{"percentage":"0.5","progress":"12"}"#), Some(0.5), "a numeric string is a number");
        assert_eq!(parse_progress(b"{}").unwrap(), None, "an empty object means the server holds nothing");
    }
}
