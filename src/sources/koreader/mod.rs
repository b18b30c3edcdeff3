//! KOReader on any e-reader (or a folder synced from one): its per-book sidecars and statistics.
//!
//! KOReader keeps each book's settings in a "sidecar" folder `<name>.sdr/metadata.<ext>.lua`, in
//! one of three places the user picks: beside the book (the default), under
//! `<koreader>/docsettings/<device path>.sdr/`, or under `<koreader>/hashdocsettings/<md5[0:2]>/<md5>.sdr/`.
//! One walk of the folder finds all three. Sidecars are Lua table literals, parsed as data by
//! [`lua`] and never executed. Start dates come from the statistics plugin's database (read from a
//! copy, like the Kobo's), matched on KOReader's partial MD5, which is also the item id.

pub mod lua;
pub mod sidecar;
mod statistics;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::device::{self, DeviceKind, DeviceSnapshot};
use super::kosync::hash::partial_md5_file;
use super::model::{Format, Highlight, ProgressSource, SourceError, SourceItem, WriteBack};
pub use sidecar::{Sidecar, Status};

/// Deep enough for any library layout; bounded so a symlink loop or a hostile tree cannot spin.
const MAX_DEPTH: usize = 24;
/// A sidecar is a few kilobytes; one far larger is not KOReader's.
const MAX_SIDECAR_BYTES: u64 = 16 * 1024 * 1024;

/// Where a sidecar was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Storage {
    /// `<book without extension>.sdr/` next to the book (KOReader's default).
    BesideBook,
    /// `<koreader>/docsettings/<device path>.sdr/`.
    DocSettings,
    /// `<koreader>/hashdocsettings/<md5[0:2]>/<md5>.sdr/`.
    HashDocSettings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KoreaderBook {
    /// KOReader's partial MD5 of the book file when known (the kosync document id), else the
    /// book's path in the folder.
    pub id: String,
    pub storage: Storage,
    pub sidecar_path: PathBuf,
    /// The book's path on the device (`/mnt/onboard/…` for docsettings) or in the folder.
    pub book_path: PathBuf,
    pub sidecar: Sidecar,
    /// The first page turn the statistics plugin recorded.
    pub started_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
}

impl KoreaderBook {
    fn has_progress(&self) -> bool {
        self.sidecar.status.is_some() || self.sidecar.percent_finished.is_some_and(|p| p > 0.0)
    }

    pub fn to_item(&self, source: &str) -> SourceItem {
        let s = &self.sidecar;
        let finished = s.status == Some(Status::Complete);
        let isbns = s.isbn();
        let ext = self.book_path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        SourceItem {
            source: source.to_owned(),
            id: self.id.clone(),
            title: s.title.clone().unwrap_or_else(|| {
                self.book_path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            }),
            subtitle: None,
            authors: s.authors.clone(),
            isbn13: isbns.isbn13,
            isbn10: isbns.isbn10,
            asin: None,
            format: if matches!(ext.as_str(), "cbz" | "cbr" | "cbt") { Format::Comic } else { Format::Ebook },
            fraction: if finished { 1.0 } else { s.percent_finished.unwrap_or(0.0) },
            position: None,
            total: None,
            started_at: self.started_at,
            finished_at: s.finished_at(),
            is_finished: finished,
            updated_at: self.modified_at,
            rating: None,
        }
    }

    pub fn highlights(&self) -> Vec<Highlight> {
        let pages = self.sidecar.pages;
        self.sidecar
            .annotations
            .iter()
            .map(|a| Highlight {
                item_id: self.id.clone(),
                key: a.key(&self.id),
                text: a.text.clone(),
                note: a.note.clone(),
                created_at: a.datetime.and_then(sidecar::from_local),
                updated_at: a.datetime_updated.and_then(sidecar::from_local),
                chapter: a.chapter.clone(),
                page: a.pageno,
                fraction: a.pageno.zip(pages).map(|(p, n)| (f64::from(p) / f64::from(n)).clamp(0.0, 1.0)),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct KoreaderLibrary {
    pub books: Vec<KoreaderBook>,
    /// Sidecars that could not be read, with why: reported, never fatal for the others.
    pub unreadable: Vec<(PathBuf, String)>,
}

impl KoreaderLibrary {
    pub fn items(&self, source: &str) -> Vec<SourceItem> {
        self.books.iter().filter(|b| b.has_progress()).map(|b| b.to_item(source)).collect()
    }

    pub fn highlights(&self) -> Vec<Highlight> {
        self.books.iter().flat_map(KoreaderBook::highlights).collect()
    }
}

/// KOReader's own folder for `root`: on a device, under one of the known places; a folder synced
/// from KOReader's folder is its own.
pub fn koreader_home(root: &Path) -> Option<PathBuf> {
    device::koreader_dir(root).or_else(|| {
        ["settings", "docsettings", "hashdocsettings"].iter().any(|d| root.join(d).is_dir()).then(|| root.to_path_buf())
    })
}

/// Read every sidecar under `root` and the statistics database, if there is one.
pub fn read_folder(root: &Path) -> Result<KoreaderLibrary, KoreaderError> {
    if !root.is_dir() {
        return Err(KoreaderError::NotConnected(root.to_path_buf()));
    }
    let home = koreader_home(root);
    let mut found = Vec::new();
    walk(root, 0, &mut found);
    let mut library = KoreaderLibrary::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for sidecar_path in found {
        match read_one(root, home.as_deref(), &sidecar_path) {
            Ok(book) => match by_id.get(&book.id) {
                // The same book in two storage modes (the user switched): the newer sidecar wins.
                Some(&i) if library.books[i].modified_at >= book.modified_at => {}
                Some(&i) => library.books[i] = book,
                None => {
                    by_id.insert(book.id.clone(), library.books.len());
                    library.books.push(book);
                }
            },
            Err(why) => library.unreadable.push((sidecar_path, why)),
        }
    }
    if let Some(stats) = home.map(|h| h.join("settings/statistics.sqlite3")).filter(|p| p.is_file()) {
        let started = statistics::first_reads(&stats).map_err(KoreaderError::Statistics)?;
        for book in &mut library.books {
            book.started_at = started.get(&book.id).copied();
        }
    }
    library.books.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(library)
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        // Never follow links: a device's tree is real folders, and a link could loop.
        let Ok(kind) = entry.file_type() else { continue };
        if !kind.is_dir() {
            continue;
        }
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".sdr") {
            if let Some(meta) = metadata_file(&path) {
                found.push(meta);
            }
        } else if name != ".kobo" && name != ".git" {
            walk(&path, depth + 1, found);
        }
    }
}

/// `metadata.<ext>.lua` in a `.sdr` folder (not KOReader's `.old` backup).
fn metadata_file(sdr: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(sdr)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            n.starts_with("metadata.") && n.ends_with(".lua") && p.is_file()
        })
        .collect();
    files.sort();
    files.into_iter().next()
}

fn read_one(root: &Path, home: Option<&Path>, sidecar_path: &Path) -> Result<KoreaderBook, String> {
    let meta = fs::metadata(sidecar_path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_SIDECAR_BYTES {
        return Err(format!("{} bytes is too large for a KOReader sidecar", meta.len()));
    }
    let text = fs::read(sidecar_path).map_err(|e| e.to_string())?;
    let sidecar = Sidecar::parse(&String::from_utf8_lossy(&text)).map_err(|e| e.to_string())?;
    let sdr = sidecar_path.parent().ok_or("no folder")?;
    let sdr_name = sdr.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = sdr_name.trim_end_matches(".sdr");
    // `metadata.epub.lua` → `epub`: the book's extension, which the folder name leaves out.
    let file_name = sidecar_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = file_name.trim_start_matches("metadata.").trim_end_matches(".lua");
    let under = |sub: &str| home.map(|h| h.join(sub)).filter(|d| sdr.starts_with(d));
    let (storage, book_path, hash) = if under("hashdocsettings").is_some() {
        (Storage::HashDocSettings, PathBuf::from(format!("{stem}.{ext}")), Some(stem.to_ascii_lowercase()))
    } else if let Some(base) = under("docsettings") {
        let rel = sdr.parent().and_then(|p| p.strip_prefix(&base).ok()).map(Path::to_path_buf).unwrap_or_default();
        (Storage::DocSettings, Path::new("/").join(rel).join(format!("{stem}.{ext}")), None)
    } else {
        (Storage::BesideBook, sdr.with_file_name(format!("{stem}.{ext}")), None)
    };
    let id = sidecar
        .partial_md5
        .clone()
        .or(hash)
        .or_else(|| (storage == Storage::BesideBook).then(|| partial_md5_file(&book_path).ok()).flatten())
        .unwrap_or_else(|| book_path.strip_prefix(root).unwrap_or(&book_path).to_string_lossy().into_owned());
    let modified_at = meta.modified().ok().map(|t: SystemTime| DateTime::<Utc>::from(t));
    Ok(KoreaderBook {
        id,
        storage,
        sidecar_path: sidecar_path.to_path_buf(),
        book_path,
        sidecar,
        started_at: None,
        modified_at,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum KoreaderError {
    #[error("no KOReader folder at {}: plug the e-reader in, or fix `path`", .0.display())]
    NotConnected(PathBuf),
    #[error("cannot read KOReader's statistics database: {0}")]
    Statistics(String),
}

/// The `kind: koreader` source: a fixed `path` (a device or a folder synced from one), or the first
/// mounted device with KOReader.
pub struct Koreader {
    device: DeviceSnapshot<KoreaderLibrary>,
}

impl Koreader {
    pub fn new(name: &str, path: Option<PathBuf>) -> Self {
        Self { device: DeviceSnapshot::new(name, DeviceKind::Koreader, path) }
    }

    pub fn with_mount_parents(self, parents: Vec<PathBuf>) -> Self {
        Self { device: self.device.with_mount_parents(parents) }
    }
}

/// [`read_folder`], telling the log about each sidecar it had to skip.
fn read_logged(name: String) -> impl FnOnce(&Path) -> Result<KoreaderLibrary, KoreaderError> + Send + 'static {
    move |root| {
        let library = read_folder(root)?;
        for (path, why) in &library.unreadable {
            tracing::warn!(source = %name, sidecar = %path.display(), "skipped an unreadable KOReader sidecar: {why}");
        }
        Ok(library)
    }
}

#[async_trait]
impl ProgressSource for Koreader {
    fn name(&self) -> &str {
        self.device.name()
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        Ok(self.device.take(read_logged(self.name().to_owned())).await?.items(self.name()))
    }

    async fn highlights(&self) -> Result<Vec<Highlight>, SourceError> {
        Ok(self.device.latest(read_logged(self.name().to_owned())).await?.highlights())
    }

    async fn write_back(&self, _item_id: &str, _update: &WriteBack) -> Result<(), SourceError> {
        Err(SourceError::Declined {
            source_name: self.name().to_owned(),
            code: "device_read_only",
            detail: "Hardcover Sync never writes to an e-reader".into(),
        })
    }
}
