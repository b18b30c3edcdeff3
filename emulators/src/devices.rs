//! Virtual e-readers: folders laid out like a stock Kobo or a device running KOReader, written from
//! invented books, for tests and the demo's "plugged in" Kobo.
//!
//! Built from the formats in `shared/docs/API-FACTS.md` (the Kobo database's tables and columns,
//! KOReader's sidecar locations and fields, its statistics database); never from a real device's
//! files. Like the other emulators it shares no code with the core: it plays the device's side.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

/// One invented book as a Kobo stores it.
#[derive(Debug, Clone, Default)]
pub struct KoboBook {
    /// A UUID for a store book, `file:///mnt/onboard/…` for a side-loaded one.
    pub content_id: String,
    pub title: String,
    pub author: String,
    pub isbn: Option<String>,
    pub percent_read: i64,
    /// 0 unread, 1 reading, 2 finished.
    pub read_status: i64,
    pub date_last_read: Option<String>,
    pub last_started: Option<String>,
    pub last_finished: Option<String>,
    /// `FirstOccurrence` of an `Event` row (first open), when given.
    pub first_event: Option<String>,
    pub time_spent: i64,
}

#[derive(Debug, Clone, Default)]
pub struct KoboBookmark {
    pub id: String,
    pub volume_id: String,
    pub text: Option<String>,
    pub annotation: Option<String>,
    pub created: String,
    pub modified: Option<String>,
    /// highlight / note / dogear / markup.
    pub kind: String,
    pub hidden: bool,
}

/// A Kobo's USB drive: `.kobo/KoboReader.sqlite` in WAL mode, held open like the device holds it,
/// so what is written stays in the `-wal` until [`KoboDrive::checkpoint`] or drop.
pub struct KoboDrive {
    pub root: PathBuf,
    conn: Connection,
}

const KOBO_SCHEMA: &str = "
CREATE TABLE content (ContentID TEXT NOT NULL PRIMARY KEY, ContentType TEXT NOT NULL, MimeType TEXT NOT NULL,
  BookID TEXT, BookTitle TEXT, Title TEXT, Attribution TEXT, DateLastRead TEXT, ReadStatus INTEGER,
  ___PercentRead INTEGER, Language TEXT, ISBN TEXT, WordCount INTEGER, TimeSpentReading INTEGER,
  LastTimeStartedReading TEXT, LastTimeFinishedReading TEXT, ___UserID TEXT NOT NULL);
CREATE TABLE Bookmark (BookmarkID TEXT PRIMARY KEY, VolumeID TEXT, ContentID TEXT, Text TEXT, Annotation TEXT,
  DateCreated TEXT, DateModified TEXT, ChapterProgress REAL, Hidden BOOL, Type TEXT, StartOffset INTEGER);
CREATE TABLE Event (EventType INTEGER, FirstOccurrence TEXT, LastOccurrence TEXT, EventCount INTEGER, ContentID TEXT);
";

impl KoboDrive {
    /// A drive at `root` with an empty library; `model` goes into `.kobo/version` (field 6).
    pub fn create(root: &Path, serial: &str, model: &str) -> rusqlite::Result<Self> {
        fs::create_dir_all(root.join(".kobo")).map_err(io_err)?;
        fs::write(root.join(".kobo/version"), format!("{serial},4.1.15,4.38.21908,4.1.15,4.1.15,{model}"))
            .map_err(io_err)?;
        let conn = Connection::open(root.join(".kobo/KoboReader.sqlite"))?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        // The device checkpoints when it likes; here, only when asked.
        conn.query_row("PRAGMA wal_autocheckpoint = 0", [], |_| Ok(()))?;
        conn.execute_batch(KOBO_SCHEMA)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(Self { root: root.to_path_buf(), conn })
    }

    pub fn add_book(&self, b: &KoboBook) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO content (ContentID, ContentType, MimeType, BookID, BookTitle, Title, Attribution,
               DateLastRead, ReadStatus, ___PercentRead, Language, ISBN, WordCount, TimeSpentReading,
               LastTimeStartedReading, LastTimeFinishedReading, ___UserID)
             VALUES (?1, '6', 'application/x-kobo-epub+zip', NULL, NULL, ?2, ?3, ?4, ?5, ?6, 'en', ?7, 90000, ?8, ?9, ?10, 'user-1')",
            params![
                b.content_id,
                b.title,
                b.author,
                b.date_last_read,
                b.read_status,
                b.percent_read,
                b.isbn,
                b.time_spent,
                b.last_started,
                b.last_finished
            ],
        )?;
        // A chapter row: it carries the book's id and must never be read as a book.
        self.conn.execute(
            "INSERT INTO content (ContentID, ContentType, MimeType, BookID, BookTitle, Title, ___UserID, ReadStatus)
             VALUES (?1, '9', 'application/xhtml+xml', ?2, ?3, 'Chapter One', 'user-1', 0)",
            params![format!("{}!OEBPS!ch1.xhtml", b.content_id), b.content_id, b.title],
        )?;
        if let Some(first) = &b.first_event {
            for (i, when) in [first.clone(), "2026-11-30T10:00:00Z".to_owned()].iter().enumerate() {
                self.conn.execute(
                    "INSERT INTO Event (EventType, FirstOccurrence, LastOccurrence, EventCount, ContentID)
                     VALUES (?1, ?2, ?2, 1, ?3)",
                    params![3 + i as i64, when, b.content_id],
                )?;
            }
        }
        Ok(())
    }

    pub fn add_bookmark(&self, m: &KoboBookmark) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO Bookmark (BookmarkID, VolumeID, ContentID, Text, Annotation, DateCreated, DateModified,
               ChapterProgress, Hidden, Type, StartOffset)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0.25, ?8, ?9, 12)",
            params![
                m.id,
                m.volume_id,
                format!("{}!OEBPS!ch1.xhtml", m.volume_id),
                m.text,
                m.annotation,
                m.created,
                m.modified,
                if m.hidden { "true" } else { "false" },
                m.kind
            ],
        )?;
        Ok(())
    }

    /// The user edits a highlight's note on the device.
    pub fn edit_note(&self, bookmark_id: &str, note: &str, modified: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE Bookmark SET Annotation = ?2, DateModified = ?3 WHERE BookmarkID = ?1",
            params![bookmark_id, note, modified],
        )?;
        Ok(())
    }

    /// The user reads on: a new percentage and last-read time.
    pub fn read_to(&self, content_id: &str, percent: i64, when: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE content SET ___PercentRead = ?2, DateLastRead = ?3, ReadStatus = 1 WHERE ContentID = ?1",
            params![content_id, percent, when],
        )?;
        Ok(())
    }

    /// Move everything from the `-wal` into the main file.
    pub fn checkpoint(&self) -> rusqlite::Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
    }

    pub fn database(&self) -> PathBuf {
        self.root.join(".kobo/KoboReader.sqlite")
    }
}

fn io_err(e: io::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Where KOReader keeps a book's sidecar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidecarLocation {
    /// `<book>.sdr/` beside the book.
    BesideBook,
    /// `<koreader>/docsettings/<device path>.sdr/`.
    DocSettings,
    /// `<koreader>/hashdocsettings/<md5[0:2]>/<md5>.sdr/`.
    HashDocSettings,
}

#[derive(Debug, Clone, Default)]
pub struct KoreaderAnnotation {
    pub text: String,
    pub note: Option<String>,
    pub datetime: String,
    pub datetime_updated: Option<String>,
    pub chapter: String,
    pub pageno: u32,
    /// `None` writes a page bookmark (no drawer).
    pub drawer: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct KoreaderBook {
    /// Path of the book on the drive, from its root (`books/Title.epub`).
    pub path: String,
    /// Partial MD5 (invented: the file is not real).
    pub md5: String,
    pub title: String,
    pub authors: Vec<String>,
    pub identifiers: Vec<String>,
    pub percent_finished: f64,
    /// reading / complete / abandoned.
    pub status: Option<String>,
    pub modified: Option<String>,
    pub annotations: Vec<KoreaderAnnotation>,
    pub doc_pages: u32,
    /// Statistics plugin page turns: epoch seconds.
    pub page_turns: Vec<i64>,
}

/// A drive with KOReader in `koreader_dir` (`.adds/koreader` on a Kobo, `koreader` on a Kindle,
/// `applications/koreader` on a PocketBook).
pub struct KoreaderDrive {
    pub root: PathBuf,
    pub koreader_dir: PathBuf,
}

impl KoreaderDrive {
    pub fn create(root: &Path, koreader_dir: &str) -> io::Result<Self> {
        let dir = root.join(koreader_dir);
        fs::create_dir_all(dir.join("settings"))?;
        fs::write(dir.join("history.lua"), "return {\n}\n")?;
        Ok(Self { root: root.to_path_buf(), koreader_dir: dir })
    }

    /// Write the book's file and its sidecar in `location`; returns the sidecar's path.
    pub fn add_book(&self, b: &KoreaderBook, location: SidecarLocation) -> io::Result<PathBuf> {
        let book = self.root.join(&b.path);
        fs::create_dir_all(book.parent().unwrap_or(&self.root))?;
        fs::write(&book, format!("invented book {}", b.title))?;
        let ext = Path::new(&b.path).extension().and_then(|e| e.to_str()).unwrap_or("epub").to_owned();
        let stem = Path::new(&b.path).file_stem().and_then(|e| e.to_str()).unwrap_or("book").to_owned();
        let sdr = match location {
            SidecarLocation::BesideBook => book.with_file_name(format!("{stem}.sdr")),
            SidecarLocation::DocSettings => {
                // The device path (a Kobo's storage is /mnt/onboard).
                let parent = Path::new(&b.path).parent().map(Path::to_path_buf).unwrap_or_default();
                self.koreader_dir.join("docsettings/mnt/onboard").join(parent).join(format!("{stem}.sdr"))
            }
            SidecarLocation::HashDocSettings => {
                self.koreader_dir.join("hashdocsettings").join(&b.md5[..2]).join(format!("{}.sdr", b.md5))
            }
        };
        fs::create_dir_all(&sdr)?;
        let path = sdr.join(format!("metadata.{ext}.lua"));
        fs::write(&path, sidecar(b))?;
        // KOReader keeps the previous version beside it: never the one to read.
        fs::write(sdr.join(format!("metadata.{ext}.lua.old")), "return { [\"percent_finished\"] = 0.01 }\n")?;
        Ok(path)
    }

    /// The statistics plugin's database with a row per book and its page turns.
    pub fn write_statistics(&self, books: &[KoreaderBook]) -> rusqlite::Result<()> {
        let conn = Connection::open(self.koreader_dir.join("settings/statistics.sqlite3"))?;
        conn.execute_batch(
            "PRAGMA user_version = 20221111;
             CREATE TABLE IF NOT EXISTS book (id integer PRIMARY KEY autoincrement, title text, authors text,
               notes integer, last_open integer, highlights integer, pages integer, series text, language text,
               md5 text, total_read_time integer, total_read_pages integer);
             CREATE TABLE IF NOT EXISTS page_stat_data (id_book integer, page integer NOT NULL DEFAULT 0,
               start_time integer NOT NULL DEFAULT 0, duration integer NOT NULL DEFAULT 0,
               total_pages integer NOT NULL DEFAULT 0, UNIQUE (id_book, page, start_time),
               FOREIGN KEY(id_book) REFERENCES book(id));",
        )?;
        for b in books {
            conn.execute(
                "INSERT INTO book (title, authors, notes, last_open, highlights, pages, series, language, md5,
                   total_read_time, total_read_pages) VALUES (?1, ?2, 0, ?3, ?4, ?5, '', 'en', ?6, 600, 10)",
                params![
                    b.title,
                    b.authors.join("\n"),
                    b.page_turns.iter().max().copied().unwrap_or(0),
                    b.annotations.len() as i64,
                    b.doc_pages,
                    b.md5
                ],
            )?;
            let id = conn.last_insert_rowid();
            for (page, t) in b.page_turns.iter().enumerate() {
                conn.execute(
                    "INSERT INTO page_stat_data (id_book, page, start_time, duration, total_pages) VALUES (?1, ?2, ?3, 30, ?4)",
                    params![id, page as i64 + 1, t, b.doc_pages],
                )?;
            }
        }
        Ok(())
    }
}

/// A sidecar as KOReader's `dump()` writes it: sorted keys, `["key"] = value,`, `%q`-style strings.
fn sidecar(b: &KoreaderBook) -> String {
    let mut out = String::from("-- we can read Lua syntax here!\nreturn {\n");
    if !b.annotations.is_empty() {
        out.push_str("    [\"annotations\"] = {\n");
        for (i, a) in b.annotations.iter().enumerate() {
            out.push_str(&format!("        [{}] = {{\n", i + 1));
            out.push_str(&format!("            [\"chapter\"] = {},\n", lua_str(&a.chapter)));
            out.push_str(&format!("            [\"datetime\"] = {},\n", lua_str(&a.datetime)));
            if let Some(u) = &a.datetime_updated {
                out.push_str(&format!("            [\"datetime_updated\"] = {},\n", lua_str(u)));
            }
            if let Some(d) = &a.drawer {
                out.push_str(&format!("            [\"drawer\"] = {},\n", lua_str(d)));
            }
            if let Some(n) = &a.note {
                out.push_str(&format!("            [\"note\"] = {},\n", lua_str(n)));
            }
            out.push_str(&format!("            [\"pageno\"] = {},\n", a.pageno));
            out.push_str(&format!("            [\"text\"] = {},\n", lua_str(&a.text)));
            out.push_str("        },\n");
        }
        out.push_str("    },\n");
    }
    out.push_str(&format!("    [\"doc_pages\"] = {},\n", b.doc_pages));
    out.push_str("    [\"doc_props\"] = {\n");
    out.push_str(&format!("        [\"authors\"] = {},\n", lua_str(&b.authors.join("\n"))));
    if !b.identifiers.is_empty() {
        out.push_str(&format!("        [\"identifiers\"] = {},\n", lua_str(&b.identifiers.join("\n"))));
    }
    out.push_str("        [\"language\"] = \"en\",\n");
    out.push_str(&format!("        [\"title\"] = {},\n", lua_str(&b.title)));
    out.push_str("    },\n");
    out.push_str(&format!("    [\"partial_md5_checksum\"] = {},\n", lua_str(&b.md5)));
    out.push_str(&format!("    [\"percent_finished\"] = {},\n", b.percent_finished));
    if let Some(status) = &b.status {
        out.push_str("    [\"summary\"] = {\n");
        if let Some(m) = &b.modified {
            out.push_str(&format!("        [\"modified\"] = {},\n", lua_str(m)));
        }
        out.push_str(&format!("        [\"status\"] = {},\n", lua_str(status)));
        out.push_str("    },\n");
    }
    out.push_str("}\n");
    out
}

/// Lua's `%q`: quotes and backslashes escaped, a newline as backslash + newline.
fn lua_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
