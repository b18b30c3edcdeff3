//! `devices`: the e-readers seen plugged in, and the user's choice for each (kept by the device's
//! serial or volume id, so it holds whichever folder the device is mounted at next time).

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Result, Store, StoreError};
use crate::sources::device::{DeviceKind, Mounted};

/// One known device, as Settings and the first-sync prompt show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    /// `kobo`, `koreader`.
    pub kinds: Vec<String>,
    /// Where it was last mounted.
    pub root: String,
    /// RFC 3339.
    pub first_seen: String,
    pub last_seen: String,
    pub connected: bool,
    /// Books with reading on it, as the last sync read them.
    pub books: Option<u32>,
    /// The user confirmed its first sync: its reading is sent like any source's.
    pub confirmed: bool,
    /// Synced as soon as it is plugged in, without asking.
    pub always_sync: bool,
    /// The configured sources that read it (what is synced from it); filled in by the app.
    pub sources: Vec<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn row(r: &Row<'_>) -> rusqlite::Result<(DeviceView, String)> {
    let first: DateTime<Utc> = r.get(4)?;
    let last: DateTime<Utc> = r.get(5)?;
    Ok((
        DeviceView {
            id: r.get(0)?,
            name: r.get(1)?,
            kinds: Vec::new(),
            root: r.get(3)?,
            first_seen: rfc3339(first),
            last_seen: rfc3339(last),
            connected: r.get(6)?,
            books: r.get(7)?,
            confirmed: r.get(8)?,
            always_sync: r.get(9)?,
            sources: Vec::new(),
        },
        r.get::<_, String>(2)?,
    ))
}

fn finish((mut d, kinds): (DeviceView, String)) -> Result<DeviceView> {
    d.kinds = serde_json::from_str(&kinds).map_err(|e| StoreError::Corrupt(format!("device {}: {e}", d.id)))?;
    Ok(d)
}

const COLUMNS: &str = "id, name, kinds, root, first_seen, last_seen, connected, books, confirmed, always_sync";

fn kind_name(k: DeviceKind) -> &'static str {
    match k {
        DeviceKind::Kobo => "kobo",
        DeviceKind::Koreader => "koreader",
    }
}

impl Store {
    /// A device is plugged in now. Returns it as stored (a new one is unconfirmed).
    pub fn device_seen(&self, m: &Mounted, now: DateTime<Utc>) -> Result<DeviceView> {
        let kinds: Vec<&str> = m.kinds.iter().copied().map(kind_name).collect();
        self.conn().execute(
            "INSERT INTO devices(id, name, kinds, root, first_seen, last_seen, connected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, kinds = excluded.kinds, root = excluded.root,
               last_seen = excluded.last_seen, connected = 1",
            params![m.id, m.name, serde_json::to_string(&kinds).expect("names"), m.root.to_string_lossy(), now],
        )?;
        self.device_get(&m.id)?.ok_or_else(|| StoreError::Corrupt(format!("device {} was not stored", m.id)))
    }

    /// Every device not in `plugged` is unplugged now (its last-seen time stays).
    pub fn devices_connected_only(&self, plugged: &[String]) -> Result<()> {
        let conn = self.conn();
        let ids: Vec<String> = {
            let mut stmt = conn.prepare("SELECT id FROM devices WHERE connected = 1")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for id in ids.iter().filter(|id| !plugged.contains(id)) {
            conn.execute("UPDATE devices SET connected = 0 WHERE id = ?1", params![id])?;
        }
        Ok(())
    }

    pub fn device_get(&self, id: &str) -> Result<Option<DeviceView>> {
        let raw = self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM devices WHERE id = ?1"), params![id], row)
            .optional()?;
        raw.map(finish).transpose()
    }

    /// Connected devices first, then by when they were last seen.
    pub fn devices_all(&self) -> Result<Vec<DeviceView>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare(&format!("SELECT {COLUMNS} FROM devices ORDER BY connected DESC, last_seen DESC, id"))?;
        let raw = stmt.query_map([], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter().map(finish).collect()
    }

    /// The user confirmed the device's first sync (`always`: sync it when plugged in, unasked).
    pub fn device_confirm(&self, id: &str, always: bool) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE devices SET confirmed = 1, always_sync = max(always_sync, ?2) WHERE id = ?1",
            params![id, always],
        )? > 0)
    }

    pub fn device_set_books(&self, id: &str, books: u32) -> Result<()> {
        self.conn().execute("UPDATE devices SET books = ?2 WHERE id = ?1", params![id, books])?;
        Ok(())
    }

    /// Forget a device: plugged in again, it is new (dry run until confirmed).
    pub fn device_forget(&self, id: &str) -> Result<bool> {
        Ok(self.conn().execute("DELETE FROM devices WHERE id = ?1", params![id])? > 0)
    }
}
