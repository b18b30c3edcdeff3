//! Small key/value facts: the connected user, last import time, and the like. Never secrets.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

impl Store {
    pub fn meta_get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn().query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| r.get(0)).optional()?)
    }

    pub fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn meta_delete(&self, key: &str) -> Result<()> {
        self.conn().execute("DELETE FROM meta WHERE key = ?1", params![key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn set_get_overwrite_delete() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.meta_get("k").unwrap(), None);
        s.meta_set("k", "1").unwrap();
        s.meta_set("k", "2").unwrap();
        assert_eq!(s.meta_get("k").unwrap().as_deref(), Some("2"), "a second set must overwrite");
        s.meta_delete("k").unwrap();
        assert_eq!(s.meta_get("k").unwrap(), None);
    }
}
