//! The local SQLite database: Hardcover library cache, matches, outbox, history.
//!
//! One module per table group, SQL beside the Rust type. Time is passed in rather than read from
//! the clock, so every method is testable against `:memory:`.

pub mod history;
pub mod item_state;
pub mod kosync_files;
pub mod library;
pub mod matches;
pub mod meta;
mod migrations;
pub mod outbox;
mod rate_limits;
pub mod runs;

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
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Open (creating if needed) the database at `path`, in WAL mode, migrated to the latest schema.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            // A missing folder surfaces as the open error below, with the path named.
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open { path: path.into(), source })?;
        // WAL lets the shelf browser read while a sync writes; NORMAL is durable enough with WAL.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::prepare(&mut conn, path)?;
        Ok(Self { conn: Mutex::new(conn) })
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

#[cfg(test)]
mod tests {
    use super::*;

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
