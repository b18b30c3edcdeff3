//! The statistics plugin's database (`settings/statistics.sqlite3`): when each book was first read.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::sources::{device, normalize};

/// `min(page_stat_data.start_time)` per book, keyed by the book's partial MD5.
///
/// Read from a copy: KOReader may have the database open, and opening it on the device would let
/// SQLite write beside it.
pub fn first_reads(db: &Path) -> Result<HashMap<String, DateTime<Utc>>, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = device::copy_database(db, tmp.path()).map_err(|e| e.to_string())?;
    let conn = Connection::open(&copy).map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare(
            "SELECT lower(b.md5), min(p.start_time) FROM book b JOIN page_stat_data p ON p.id_book = b.id
             WHERE b.md5 IS NOT NULL AND p.start_time > 0 GROUP BY b.id",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))).map_err(|e| e.to_string())?;
    let mut out: HashMap<String, DateTime<Utc>> = HashMap::new();
    for row in rows {
        let (md5, start) = row.map_err(|e| e.to_string())?;
        if let Some(t) = normalize::from_epoch_s(Some(start)) {
            // Two rows for one md5 (a book re-added): the earliest is the first read.
            out.entry(md5).and_modify(|e| *e = (*e).min(t)).or_insert(t);
        }
    }
    Ok(out)
}
