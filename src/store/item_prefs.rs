//! `item_prefs`: what the user chose for one source item: never sync it, or sync it without its
//! highlights; and the edition a sync marked owned for it, so that is asked of Hardcover once.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemPrefs {
    pub exclude: bool,
    pub no_highlights: bool,
    pub owned_edition: Option<i64>,
}

/// One item the user excluded from syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExcludedItem {
    pub source: String,
    pub item_id: String,
    pub title: Option<String>,
}

impl Store {
    pub fn item_prefs(&self, source: &str, item_id: &str) -> Result<ItemPrefs> {
        Ok(self
            .conn()
            .query_row(
                "SELECT exclude, no_highlights, owned_edition FROM item_prefs WHERE source = ?1 AND item_id = ?2",
                params![source, item_id],
                |r| Ok(ItemPrefs { exclude: r.get(0)?, no_highlights: r.get(1)?, owned_edition: r.get(2)? }),
            )
            .optional()?
            .unwrap_or_default())
    }

    fn item_prefs_update(
        &self,
        source: &str,
        item_id: &str,
        title: Option<&str>,
        set: &str,
        value: rusqlite::types::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn().execute(
            &format!(
                "INSERT INTO item_prefs(source, item_id, title, {set}, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(source, item_id) DO UPDATE SET {set} = excluded.{set},
                   title = coalesce(excluded.title, item_prefs.title), updated_at = excluded.updated_at"
            ),
            params![source, item_id, title, value, now],
        )?;
        Ok(())
    }

    /// Never sync this item (or sync it again): kept across syncs until changed.
    pub fn item_set_excluded(
        &self,
        source: &str,
        item_id: &str,
        title: Option<&str>,
        exclude: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.item_prefs_update(source, item_id, title, "exclude", i64::from(exclude).into(), now)
    }

    /// Sync the item, but send none of its highlights (or send them again).
    pub fn item_set_no_highlights(&self, source: &str, item_id: &str, off: bool, now: DateTime<Utc>) -> Result<()> {
        self.item_prefs_update(source, item_id, None, "no_highlights", i64::from(off).into(), now)
    }

    /// Hardcover confirmed the edition is on the user's Owned list.
    pub fn item_set_owned(&self, source: &str, item_id: &str, edition_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.item_prefs_update(source, item_id, None, "owned_edition", edition_id.into(), now)
    }

    /// Every excluded item, by source then title.
    pub fn excluded_items(&self) -> Result<Vec<ExcludedItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT source, item_id, title FROM item_prefs WHERE exclude = 1 ORDER BY source, coalesce(title, item_id)",
        )?;
        Ok(stmt
            .query_map([], |r| Ok(ExcludedItem { source: r.get(0)?, item_id: r.get(1)?, title: r.get(2)? }))?
            .collect::<rusqlite::Result<_>>()?)
    }
}
