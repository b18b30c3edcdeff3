//! Versioned schema migrations (SQLite `user_version`). Append only: never edit a released one.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    // 1: the Hardcover library cache (for the shelf browser and offline export), matches,
    // outbox, sync runs and history.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    CREATE TABLE hc_books (
        id           INTEGER PRIMARY KEY,
        title        TEXT NOT NULL,
        subtitle     TEXT,
        slug         TEXT,
        authors      TEXT NOT NULL DEFAULT '[]',  -- JSON array of names
        cover_url    TEXT,
        pages        INTEGER,
        release_year INTEGER
    );

    CREATE TABLE hc_editions (
        id                INTEGER PRIMARY KEY,
        book_id           INTEGER NOT NULL,
        title             TEXT,
        pages             INTEGER,
        audio_seconds     INTEGER,
        reading_format_id INTEGER,
        isbn_10           TEXT,
        isbn_13           TEXT,
        asin              TEXT,
        cover_url         TEXT
    );
    CREATE INDEX hc_editions_book ON hc_editions(book_id);

    CREATE TABLE hc_user_books (
        id          INTEGER PRIMARY KEY,
        book_id     INTEGER NOT NULL,
        edition_id  INTEGER,
        status_id   INTEGER NOT NULL,
        rating      REAL,
        date_added  TEXT,
        updated_at  TEXT,
        owned       INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX hc_user_books_book ON hc_user_books(book_id);
    CREATE INDEX hc_user_books_status ON hc_user_books(status_id);

    CREATE TABLE hc_reads (
        id               INTEGER PRIMARY KEY,
        user_book_id     INTEGER NOT NULL,
        edition_id       INTEGER,
        progress         REAL,
        progress_pages   INTEGER,
        progress_seconds INTEGER,
        started_at       TEXT,
        finished_at      TEXT,
        paused_at        TEXT
    );
    CREATE INDEX hc_reads_user_book ON hc_reads(user_book_id);

    CREATE TABLE hc_lists (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        slug        TEXT,
        description TEXT,
        books_count INTEGER NOT NULL DEFAULT 0,
        updated_at  TEXT
    );

    CREATE TABLE hc_list_books (
        id         INTEGER PRIMARY KEY,
        list_id    INTEGER NOT NULL,
        book_id    INTEGER NOT NULL,
        edition_id INTEGER,
        position   INTEGER,
        date_added TEXT
    );
    CREATE INDEX hc_list_books_list ON hc_list_books(list_id);

    CREATE TABLE matches (
        source      TEXT NOT NULL,
        item_id     TEXT NOT NULL,
        book_id     INTEGER,             -- NULL: unmatched (candidates kept for the UI)
        edition_id  INTEGER,
        method      TEXT NOT NULL,       -- asin | isbn13 | isbn10 | search | manual
        confidence  REAL NOT NULL DEFAULT 1.0,
        candidates  TEXT NOT NULL DEFAULT '[]',
        key         TEXT NOT NULL DEFAULT '', -- identifiers the match was made from; a change re-matches
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (source, item_id)
    );

    CREATE TABLE item_state (
        source                 TEXT NOT NULL,
        item_id                TEXT NOT NULL,
        fingerprint            TEXT NOT NULL,  -- what the source said last time; unchanged → no work
        pushed_fraction        REAL,           -- what we last wrote to Hardcover …
        pushed_finished        INTEGER NOT NULL DEFAULT 0,
        pushed_at              TEXT,           -- … and when (NULL: never)
        written_back_fraction  REAL,           -- what we wrote to the source, so it is not echoed back
        written_back_finished  INTEGER NOT NULL DEFAULT 0,
        written_back_at        TEXT,
        updated_at             TEXT NOT NULL,
        PRIMARY KEY (source, item_id)
    );

    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id      INTEGER,
        source      TEXT NOT NULL,
        item_id     TEXT NOT NULL,
        kind        TEXT NOT NULL,
        payload     TEXT NOT NULL,         -- JSON; never holds a secret
        state       TEXT NOT NULL DEFAULT 'pending', -- pending | sent | done | failed | deferred | obsolete
        attempts    INTEGER NOT NULL DEFAULT 0,
        result      TEXT,                  -- JSON ids Hardcover returned
        error       TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX outbox_state ON outbox(state);

    CREATE TABLE sync_runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        direction   TEXT NOT NULL,
        dry_run     INTEGER NOT NULL DEFAULT 0,
        summary     TEXT
    );

    CREATE TABLE history (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id       INTEGER NOT NULL,
        source       TEXT NOT NULL,
        item_id      TEXT NOT NULL,
        title        TEXT,
        action       TEXT NOT NULL,
        result       TEXT NOT NULL,
        reason       TEXT,
        book_id      INTEGER,
        user_book_id INTEGER,
        read_id      INTEGER,
        at           TEXT NOT NULL
    );
    CREATE INDEX history_run ON history(run_id);
    CREATE INDEX history_item ON history(source, item_id);

    CREATE TABLE kosync_files (
        path          TEXT PRIMARY KEY,
        size          INTEGER NOT NULL,
        mtime         INTEGER NOT NULL,
        partial_md5   TEXT NOT NULL,
        filename_md5  TEXT NOT NULL,
        title         TEXT,
        authors       TEXT NOT NULL DEFAULT '[]',
        isbn          TEXT
    );
    "#,
    // 2: the source item's own title and authors on its match, so an unmatched item can be shown
    // (and searched for by hand) as its server names it. NULL/'[]' on rows matched before this.
    r#"
    ALTER TABLE matches ADD COLUMN title TEXT;
    ALTER TABLE matches ADD COLUMN authors TEXT NOT NULL DEFAULT '[]';
    "#,
    // 3: each reading server's health across syncs, so a failing one stays visible (and is
    // announced once) until a sync reads it again.
    r#"
    CREATE TABLE source_health (
        source        TEXT PRIMARY KEY,
        failing_since TEXT,            -- NULL: the last sync read it
        message       TEXT,            -- why it fails, in words for the user; never a secret
        last_ok_at    TEXT,
        checked_at    TEXT NOT NULL
    );
    "#,
    // 4: highlights sent to the Hardcover reading journal (one row per highlight, keyed by the
    // device's stable id, with the journal entry it created), and the user's per-item choices.
    r#"
    CREATE TABLE journal_entries (
        source      TEXT NOT NULL,
        item_id     TEXT NOT NULL,
        key         TEXT NOT NULL,      -- the highlight's stable key on the device
        book_id     INTEGER NOT NULL,
        edition_id  INTEGER,
        journal_id  INTEGER NOT NULL,   -- Hardcover's reading_journals.id
        entry       TEXT NOT NULL,      -- the text sent (highlight, separator, note)
        highlight   TEXT NOT NULL,
        note        TEXT,
        chapter     TEXT,
        made_at     TEXT,
        removed_at  TEXT,               -- gone from the device; kept on Hardcover unless asked
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (source, item_id, key)
    );
    CREATE INDEX journal_entries_book ON journal_entries(book_id);

    CREATE TABLE item_prefs (
        source          TEXT NOT NULL,
        item_id         TEXT NOT NULL,
        title           TEXT,
        exclude         INTEGER NOT NULL DEFAULT 0,  -- never sync this item
        no_highlights   INTEGER NOT NULL DEFAULT 0,  -- sync it, but send none of its highlights
        owned_edition   INTEGER,                     -- the edition marked owned on Hardcover
        updated_at      TEXT NOT NULL,
        PRIMARY KEY (source, item_id)
    );
    "#,
    // 5: e-readers seen plugged in, and what the user chose for each: a device first seen is
    // only planned (dry run) until the user confirms its first sync.
    r#"
    CREATE TABLE devices (
        id          TEXT PRIMARY KEY,   -- kobo:<serial>, volume:<uuid> or folder:<name>
        name        TEXT NOT NULL,
        kinds       TEXT NOT NULL,      -- JSON array: ["kobo"], ["kobo","koreader"]
        root        TEXT NOT NULL,      -- where it was last mounted
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        connected   INTEGER NOT NULL DEFAULT 0,
        books       INTEGER,            -- books with reading on it, as the last sync read them
        confirmed   INTEGER NOT NULL DEFAULT 0,
        always_sync INTEGER NOT NULL DEFAULT 0
    );
    "#,
];

#[cfg(test)]
pub fn count() -> usize {
    MIGRATIONS.len()
}

/// Bring the schema up to date. The version is read and the migrations applied inside one
/// IMMEDIATE transaction: when two processes open an old database at once, the second waits for
/// the write lock (busy_timeout), then reads the new version and has nothing left to do.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let too_new = |found| StoreError::TooNew { path: path.into(), found, known: MIGRATIONS.len() };
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > MIGRATIONS.len() as i64 {
        // A downgrade must never touch the data.
        return Err(too_new(found));
    }
    if found == MIGRATIONS.len() as i64 {
        return Ok(());
    }
    let failed = |e: rusqlite::Error| StoreError::Migrate { path: path.into(), message: e.to_string() };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > MIGRATIONS.len() as i64 {
        return Err(too_new(found));
    }
    let done = usize::try_from(found).unwrap_or(0);
    for sql in &MIGRATIONS[done..] {
        tx.execute_batch(sql).map_err(failed)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64).map_err(failed)?;
    tx.commit().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rusqlite_migration::{M, Migrations};

    #[test]
    fn migrations_are_valid() {
        let migrations = Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect());
        migrations.validate().expect("every migration must apply cleanly to an empty database");
    }
}
