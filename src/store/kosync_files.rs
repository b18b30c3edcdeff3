//! `kosync_files`: KOReader document hashes of the user's book files, keyed by path and valid
//! while size and mtime are unchanged, so a rescan reads each file only once.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KosyncFile {
    pub path: String,
    pub size: i64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime: i64,
    pub partial_md5: String,
    pub filename_md5: String,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub isbn: Option<String>,
}

impl Store {
    pub fn kosync_file(&self, path: &str) -> Result<Option<KosyncFile>> {
        let row = self
            .conn()
            .query_row(
                "SELECT path, size, mtime, partial_md5, filename_md5, title, authors, isbn FROM kosync_files WHERE path = ?1",
                params![path],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(path, size, mtime, partial_md5, filename_md5, title, authors, isbn)| {
            let authors = serde_json::from_str(&authors)
                .map_err(|e| StoreError::Corrupt(format!("kosync_files.authors for {path}: {e}")))?;
            Ok(KosyncFile { path, size, mtime, partial_md5, filename_md5, title, authors, isbn })
        })
        .transpose()
    }

    /// The scanned file a kosync document id (partial or filename MD5) stands for, the most
    /// recently modified when copies share it.
    pub fn kosync_file_by_document(&self, document: &str) -> Result<Option<KosyncFile>> {
        let path: Option<String> = self
            .conn()
            .query_row(
                "SELECT path FROM kosync_files WHERE partial_md5 = ?1 OR filename_md5 = ?1
                 ORDER BY partial_md5 = ?1 DESC, mtime DESC LIMIT 1",
                params![document],
                |r| r.get(0),
            )
            .optional()?;
        path.map_or(Ok(None), |p| self.kosync_file(&p))
    }

    pub fn kosync_file_put(&self, f: &KosyncFile) -> Result<()> {
        let authors = serde_json::to_string(&f.authors).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn().execute(
            "INSERT INTO kosync_files (path, size, mtime, partial_md5, filename_md5, title, authors, isbn)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime,
               partial_md5 = excluded.partial_md5, filename_md5 = excluded.filename_md5,
               title = excluded.title, authors = excluded.authors, isbn = excluded.isbn",
            params![f.path, f.size, f.mtime, f.partial_md5, f.filename_md5, f.title, authors, f.isbn],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_replace() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.kosync_file("/b/x.epub").unwrap(), None);
        let mut f = KosyncFile {
            path: "/b/x.epub".into(),
            size: 10,
            mtime: 5,
            partial_md5: "aa".into(),
            filename_md5: "bb".into(),
            title: Some("X".into()),
            authors: vec!["A".into(), "B".into()],
            isbn: None,
        };
        s.kosync_file_put(&f).unwrap();
        assert_eq!(s.kosync_file("/b/x.epub").unwrap().as_ref(), Some(&f), "a stored row must read back whole");
        f.size = 11;
        f.partial_md5 = "cc".into();
        s.kosync_file_put(&f).unwrap();
        assert_eq!(s.kosync_file("/b/x.epub").unwrap(), Some(f), "a second put must replace the row");
    }

    #[test]
    fn a_document_id_finds_its_file_by_either_hash() {
        let s = Store::open_in_memory().unwrap();
        let f = KosyncFile {
            path: "/b/y.pdf".into(),
            size: 1,
            mtime: 1,
            partial_md5: "p1".into(),
            filename_md5: "n1".into(),
            title: None,
            authors: vec![],
            isbn: None,
        };
        s.kosync_file_put(&f).unwrap();
        assert_eq!(s.kosync_file_by_document("p1").unwrap().map(|f| f.path), Some("/b/y.pdf".into()));
        assert_eq!(
            s.kosync_file_by_document("n1").unwrap().map(|f| f.path),
            Some("/b/y.pdf".into()),
            "filename MD5 too"
        );
        assert_eq!(s.kosync_file_by_document("zz").unwrap(), None, "an unknown id has no file");
    }
}
