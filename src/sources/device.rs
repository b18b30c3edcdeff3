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

/// Where Windows puts a plugged-in drive: the root of a drive letter (`E:\`). Empty elsewhere.
/// A: and B: are left out (floppy letters: asking for an empty one can stall).
pub fn drive_roots() -> Vec<PathBuf> {
    if !cfg!(windows) {
        return Vec::new();
    }
    ('C'..='Z').map(|letter| PathBuf::from(format!("{letter}:\\"))).filter(|root| root.is_dir()).collect()
}

/// Every mounted folder under `parents` (and every drive root on Windows) that holds reading
/// data of `kind`, in name order.
pub fn find_mounted(parents: &[PathBuf], kind: DeviceKind) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = parents
        .iter()
        .filter_map(|p| fs::read_dir(p).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .chain(drive_roots())
        .filter(|p| detect(p).contains(&kind))
        .collect();
    found.sort();
    found
}

/// A folder with reading data, found mounted, and how it is told apart from other devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mounted {
    /// Stable across plugs: `kobo:<serial>` (from `.kobo/version`), else `volume:<filesystem
    /// UUID>`, else `folder:<mount folder name>`.
    pub id: String,
    /// For people: "Kobo eReader", "KOReader device".
    pub name: String,
    pub kinds: Vec<DeviceKind>,
    pub root: PathBuf,
}

/// The mount points in `/proc/self/mountinfo` text (field 5; spaces and the like come octal-escaped).
pub fn mount_points(mountinfo: &str) -> Vec<PathBuf> {
    mountinfo.lines().filter_map(|l| l.split(' ').nth(4)).map(|p| PathBuf::from(unescape_octal(p))).collect()
}

fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What is at `root`, if it holds reading data.
pub fn identify(root: &Path) -> Option<Mounted> {
    let kinds = detect(root);
    if kinds.is_empty() {
        return None;
    }
    let serial = fs::read_to_string(root.join(".kobo/version"))
        .ok()
        .and_then(|v| v.split(',').next().map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty());
    let id = match serial {
        Some(serial) => format!("kobo:{serial}"),
        None => match volume_uuid(root) {
            Some(uuid) => format!("volume:{uuid}"),
            None => {
                format!("folder:{}", root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            }
        },
    };
    let name = if kinds.contains(&DeviceKind::Kobo) { "Kobo eReader" } else { "KOReader device" };
    Some(Mounted { id, name: name.to_owned(), kinds, root: root.to_path_buf() })
}

/// The filesystem UUID of the volume mounted at `root`: the `/dev/disk/by-uuid` link whose target
/// is the mount's source device.
fn volume_uuid(root: &Path) -> Option<String> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let source = info.lines().find_map(|l| {
        let fields: Vec<&str> = l.split(' ').collect();
        let at = fields.iter().position(|f| *f == "-")?;
        (Path::new(&unescape_octal(fields.get(4)?)) == root).then(|| fields.get(at + 2).map(|s| PathBuf::from(*s)))?
    })?;
    let source = fs::canonicalize(source).ok()?;
    fs::read_dir("/dev/disk/by-uuid").ok()?.flatten().find_map(|e| {
        (fs::canonicalize(e.path()).ok()? == source).then(|| e.file_name().to_string_lossy().into_owned())
    })
}

/// Every device with reading data that is plugged in now: the mount points of `mountinfo` and
/// the folders under `parents` (where desktops mount drives, or the demo's virtual one).
pub fn scan(mountinfo: &str, parents: &[PathBuf]) -> Vec<Mounted> {
    let mut roots = mount_points(mountinfo);
    roots.extend(drive_roots());
    for parent in parents {
        if let Ok(entries) = fs::read_dir(parent) {
            roots.extend(entries.flatten().map(|e| e.path()));
        }
    }
    roots.sort();
    roots.dedup();
    // The root filesystem and system mounts hold no `.kobo` or KOReader folder; checking them is
    // a few `stat` calls.
    roots.iter().filter_map(|r| identify(r)).collect()
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
                DeviceKind::Kobo => {
                    "no Kobo is connected: plug it in and choose \"Connect\" on the device, or set `path`"
                }
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
        assert_eq!(
            find_mounted(&parents, DeviceKind::Kobo),
            vec![drive.clone()],
            "only the drive with markers is found"
        );
        fs::write(
            drive.join(".kobo/version"),
            "N418000000001,4.1.15,4.38.21908,4.1.15,4.1.15,00000000-0000-0000-0000-000000000388",
        )
        .unwrap();
        let found = scan("", &parents);
        assert_eq!(found.len(), 1, "only the drive with reading data is a device: {found:?}");
        assert_eq!(found[0].id, "kobo:N418000000001", "a Kobo is known by its serial across plugs");
    }

    #[test]
    fn mount_points_are_read_from_mountinfo_with_escapes() {
        let info = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n\
                    120 29 8:17 / /run/media/me/KOBO\\040eReader rw,nosuid - vfat /dev/sdb1 rw\n";
        assert_eq!(
            mount_points(info),
            vec![PathBuf::from("/mnt2"), PathBuf::from("/run/media/me/KOBO eReader")],
            "field 5 is the mount point; \\040 is a space"
        );
    }
}
