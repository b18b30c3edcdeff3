//! E-readers plugged in over USB: recognising one by its markers, finding mounted ones, and taking
//! the copy of a device database that every read works on.
//!
//! Nothing here writes to a device. Its SQLite files are copied (with their `-wal`) into a
//! temporary folder first: the device may still be writing, opening the file in place would let
//! SQLite create `-shm`/`-wal` files on it, and a copy taken first means an unplug halfway through
//! a sync loses nothing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::model::SourceError;

/// The marker of a stock Kobo: its library database.
pub const KOBO_DATABASE: &str = ".kobo/KoboReader.sqlite";
/// Where KOReader lives on a Kobo, a Kindle and a PocketBook, in that order.
pub const KOREADER_DIRS: &[&str] = &[".adds/koreader", "koreader", "applications/koreader"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Kobo,
    Koreader,
}

/// What reading data a mounted folder holds. A Kobo running KOReader has both.
pub fn detect(root: &Path) -> Vec<DeviceKind> {
    let mut kinds = Vec::new();
    if root.join(KOBO_DATABASE).is_file() {
        kinds.push(DeviceKind::Kobo);
    }
    if koreader_dir(root).is_some() {
        kinds.push(DeviceKind::Koreader);
    }
    kinds
}

/// KOReader's own folder on a device mounted at `root`.
pub fn koreader_dir(root: &Path) -> Option<PathBuf> {
    KOREADER_DIRS.iter().map(|d| root.join(d)).find(|d| d.is_dir())
}

/// The folders desktop Linux mounts removable drives under: udisks2 uses `/run/media/$USER` (and
/// `/media/$USER` on Debian and Ubuntu).
pub fn mount_parents() -> Vec<PathBuf> {
    let Some(user) = std::env::var_os("USER").filter(|u| !u.is_empty()) else { return Vec::new() };
    vec![Path::new("/run/media").join(&user), Path::new("/media").join(&user)]
}

/// Every mounted folder under `parents` that holds reading data of `kind`, in name order.
pub fn find_mounted(parents: &[PathBuf], kind: DeviceKind) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = parents
        .iter()
        .filter_map(|p| fs::read_dir(p).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| detect(p).contains(&kind))
        .collect();
    found.sort();
    found
}

/// Copy the SQLite database at `db` and its write-ahead log into `dir`; returns the copy's path.
///
/// The `-wal` matters: the device keeps recent changes there until it checkpoints, and a Kobo
/// unplugged soon after reading has the last pages read only in the log. The `-shm` index is not
/// copied (SQLite rebuilds it from the log; the device's may be stale).
pub fn copy_database(db: &Path, dir: &Path) -> io::Result<PathBuf> {
    let name = db.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file"))?;
    let copy = dir.join(name);
    fs::copy(db, &copy)?;
    let wal = sibling(db, "-wal");
    match fs::copy(&wal, sibling(&copy, "-wal")) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(copy)
}

/// Where a device source reads (a fixed `path`, or the first mounted device of its kind), and the
/// library its `list` read, which `highlights` answers from: an unplug after `list` loses nothing
/// in that sync.
pub struct DeviceSnapshot<T> {
    name: String,
    kind: DeviceKind,
    path: Option<PathBuf>,
    mount_parents: Vec<PathBuf>,
    taken: Mutex<Option<Arc<T>>>,
}

impl<T: Send + Sync + 'static> DeviceSnapshot<T> {
    pub fn new(name: &str, kind: DeviceKind, path: Option<PathBuf>) -> Self {
        Self { name: name.to_owned(), kind, path, mount_parents: mount_parents(), taken: Mutex::new(None) }
    }

    /// Look for mounted devices under these folders instead of the desktop's (tests, demo).
    pub fn with_mount_parents(mut self, parents: Vec<PathBuf>) -> Self {
        self.mount_parents = parents;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The folder to read, when there is one to read.
    pub fn root(&self) -> Result<PathBuf, SourceError> {
        if let Some(p) = &self.path {
            return Ok(p.clone());
        }
        find_mounted(&self.mount_parents, self.kind).into_iter().next().ok_or_else(|| SourceError::Other {
            source_name: self.name.clone(),
            detail: match self.kind {
                DeviceKind::Kobo => "no Kobo is connected: plug it in and choose \"Connect\" on the device, or set `path`",
                DeviceKind::Koreader => "no e-reader with KOReader is connected: plug it in, or set `path`",
            }
            .into(),
        })
    }

    /// Read the device now (off the async threads: it copies files) and keep what was read.
    pub async fn take<E: std::fmt::Display>(
        &self,
        read: impl FnOnce(&Path) -> Result<T, E> + Send + 'static,
    ) -> Result<Arc<T>, SourceError> {
        let root = self.root()?;
        let fail = |detail: String| SourceError::Other { source_name: self.name.clone(), detail };
        let library = tokio::task::spawn_blocking(move || read(&root).map_err(|e| e.to_string()))
            .await
            .map_err(|e| fail(e.to_string()))?
            .map_err(fail)?;
        let library = Arc::new(library);
        *self.taken.lock().unwrap_or_else(|e| e.into_inner()) = Some(library.clone());
        Ok(library)
    }

    /// What the last `take` read; read now when nothing was.
    pub async fn latest<E: std::fmt::Display>(
        &self,
        read: impl FnOnce(&Path) -> Result<T, E> + Send + 'static,
    ) -> Result<Arc<T>, SourceError> {
        let taken = self.taken.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match taken {
            Some(l) => Ok(l),
            None => self.take(read).await,
        }
    }
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_name_the_kind() {
        let media = tempfile::tempdir().unwrap();
        let drive = media.path().join("KOBOeReader");
        fs::create_dir_all(drive.join(".kobo")).unwrap();
        assert!(detect(&drive).is_empty(), "a drive without the database is not a Kobo");
        fs::write(drive.join(KOBO_DATABASE), b"").unwrap();
        assert_eq!(detect(&drive), vec![DeviceKind::Kobo]);
        fs::create_dir_all(drive.join(".adds/koreader")).unwrap();
        assert_eq!(detect(&drive), vec![DeviceKind::Kobo, DeviceKind::Koreader], "a Kobo with KOReader is both");
        fs::create_dir_all(media.path().join("USB STICK")).unwrap();
        let parents = vec![media.path().to_path_buf()];
        assert_eq!(find_mounted(&parents, DeviceKind::Kobo), vec![drive], "only the drive with markers is found");
    }
}
