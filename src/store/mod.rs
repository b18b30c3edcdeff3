//! The local SQLite database: Hardcover library cache, matches, outbox, history.
//!
//! One module per table group, SQL beside the Rust type. Time is passed in rather than read from
//! the clock, so every method is testable against `:memory:`.

pub mod devices;
pub mod history;
pub mod item_prefs;
pub mod item_state;
pub mod journal;
pub mod kosync_files;
pub mod library;
pub mod matches;
pub mod meta;
mod migrations;
pub mod outbox;
mod rate_limits;
pub mod runs;
pub mod source_health;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error(
        "the database {path} was written by a newer version of Hardcover Sync (schema {found}, this version knows {known}). Update the app; the database was left untouched"
    )]
    TooNew { path: PathBuf, found: i64, known: usize },
    #[error("cannot upgrade the database {path}: {message}")]
    Migrate { path: PathBuf, message: String },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database holds malformed data: {0}")]
    Corrupt(String),
    /// The file is not a readable SQLite database any more (disk trouble, a crash mid-copy).
    #[error(
        "the database {path} is damaged ({reason}).{} Your library itself is safe on Hardcover: run `hardcover-sync rebuild-database` to start a fresh local copy and import it from Hardcover (matches made by hand and the sync history kept only in this file are not carried over)",
        kept.as_ref().map(|k| format!(" A copy was kept as {}.", k.display())).unwrap_or_default()
    )]
    Damaged { path: PathBuf, reason: String, kept: Option<PathBuf> },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub struct Store {
    conn: Mutex<Connection>,
}

/// Put the file in WAL mode. Two processes opening a new file at once can each hold a read lock
/// while asking for the write lock the switch needs; SQLite then answers one of them "busy" at
/// once instead of waiting (waiting would deadlock), so `busy_timeout` alone does not cover it.
/// Try again for a bounded while: the other opener finishes its switch in milliseconds.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Store {
    /// Open (creating if needed) the database at `path`, in WAL mode, migrated to the latest schema.
    /// A damaged file is copied aside (`<file>.corrupt-<date>`), left in place, and reported as
    /// [`StoreError::Damaged`]; [`Store::rebuild`] starts afresh.
    pub fn open(path: &Path) -> Result<Self> {
        match Self::open_unchecked(path) {
            Err(StoreError::Open { source: e, .. } | StoreError::Sql(e)) if is_damage(&e) => {
                Err(damaged(path, e.to_string()))
            }
            other => other,
        }
    }

    fn open_unchecked(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            // A missing folder surfaces as the open error below, with the path named.
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open { path: path.into(), source })?;
        // First, before any pragma: the tray, the window and a CLI run open this file at once,
        // and even switching to WAL needs a moment of exclusive access.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL lets the shelf browser read while a sync writes; NORMAL is durable enough with WAL.
        switch_to_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::prepare(&mut conn, path)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// Put a damaged database aside (kept as `<file>.corrupt-<date>`) and open a fresh one in its
    /// place. The caller then imports the library from Hardcover again.
    pub fn rebuild(path: &Path) -> Result<Self> {
        let kept = kept_name(path);
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", path.display()));
            let to = PathBuf::from(format!("{}{suffix}", kept.display()));
            if !from.exists() {
                continue;
            }
            let moved = if to.exists() { std::fs::remove_file(&from) } else { std::fs::rename(&from, &to) };
            moved.map_err(|e| StoreError::Migrate {
                path: path.into(),
                message: format!("cannot move it aside: {e}"),
            })?;
        }
        Self::open(path)
    }

    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory()?;
        Self::prepare(&mut conn, Path::new(":memory:"))?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn prepare(conn: &mut Connection, path: &Path) -> Result<()> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(conn, path)
    }

    /// The connection, for table modules. Poisoning is ignored: a panic in another thread does not
    /// make SQLite's state invalid, and refusing every later call would lose the user's data.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn().pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

/// SQLite's ways of saying the file is not (or no longer) a database.
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt))
}

/// `<file>.corrupt-<today>` beside the database.
fn kept_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "database".into());
    path.with_file_name(format!("{name}.corrupt-{}", chrono::Local::now().format("%Y-%m-%d")))
}

/// Keep a copy of the damaged file (never overwriting an earlier copy of the same day) and say so.
fn damaged(path: &Path, reason: String) -> StoreError {
    let kept = kept_name(path);
    let copied = kept.exists() || std::fs::copy(path, &kept).is_ok();
    StoreError::Damaged { path: path.into(), reason, kept: copied.then_some(kept) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_database_is_kept_named_and_rebuilt_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hardcover-sync.sqlite3");
        let garbage = b"this is not a database, but it was one before the disk failed".repeat(100);
        std::fs::write(&path, &garbage).unwrap();

        let err = Store::open(&path).err().expect("a damaged database must be refused");
        let message = err.to_string();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
        assert!(message.contains(&path.display().to_string()), "the message must name the file: {message}");
        assert!(message.contains("rebuild-database"), "the message must offer the rebuild: {message}");
        let StoreError::Damaged { kept: Some(kept), .. } = err else { panic!("a copy must be kept: {message}") };
        assert!(kept.file_name().unwrap().to_string_lossy().contains(".corrupt-"), "{}", kept.display());
        assert!(message.contains(&kept.display().to_string()), "the message must say where the copy is: {message}");
        assert_eq!(std::fs::read(&kept).unwrap(), garbage, "the copy must hold the damaged file as it was");
        assert_eq!(std::fs::read(&path).unwrap(), garbage, "refusing must leave the file itself untouched");
        assert!(Store::open(&path).is_err(), "opening again is refused again, not silently reset");

        let fresh = Store::rebuild(&path).expect("a rebuild starts a fresh database");
        assert_eq!(fresh.schema_version().unwrap() as usize, migrations::count(), "the fresh one is current");
        assert_eq!(std::fs::read(&kept).unwrap(), garbage, "the rebuild must keep the damaged copy");
    }

    #[test]
    fn several_openers_of_a_new_database_at_once_upgrade_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        // Each opener reads version 0 first; only one may apply the migrations.
        let opened: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version().unwrap()))
            })
            .collect();
        for t in opened {
            let v = t.join().unwrap().expect("every opener must succeed while another upgrades");
            assert_eq!(v as usize, migrations::count(), "every opener sees the upgraded schema");
        }
    }

    #[test]
    fn opens_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/db.sqlite3");
        let v = Store::open(&path).unwrap().schema_version().unwrap();
        assert_eq!(v as usize, migrations::count(), "a new database must be at the latest schema");
        let again = Store::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), v, "reopening must not migrate twice");
        let mode: String = again.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal", "the database must run in WAL mode");
    }

    #[test]
    fn a_newer_database_is_refused_not_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            let s = Store::open(&path).unwrap();
            s.conn()
                .execute_batch("CREATE TABLE precious(x); INSERT INTO precious VALUES (42); PRAGMA user_version = 999;")
                .unwrap();
        }
        let err = Store::open(&path).err().expect("a database from a newer version must be refused");
        assert!(matches!(err, StoreError::TooNew { found: 999, .. }), "{err}");
        assert!(err.to_string().contains("newer version"), "{err}");
        let conn = Connection::open(&path).unwrap();
        let kept: i64 = conn.query_row("SELECT x FROM precious", [], |r| r.get(0)).unwrap();
        assert_eq!(kept, 42, "refusing a newer database must leave its data untouched");
    }

    #[test]
    fn unopenable_path_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let err = Store::open(&blocker.join("db.sqlite3")).err().expect("a path under a file cannot be opened");
        assert!(err.to_string().contains("db.sqlite3"), "{err}");
    }
}
