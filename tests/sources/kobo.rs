//! `kind: kobo`: a virtual Kobo drive (invented books written by the emulators crate) read through
//! the source, one test per field mapping.

use std::fs;
use std::path::{Path, PathBuf};

use hardcover_sync::config::SourceKind;
use hardcover_sync::sources::kobo::{self, Kobo};
use hardcover_sync::sources::{self, Format, ProgressSource, SourceItem};
use hardcover_sync_emulators::devices::{KoboBook, KoboBookmark, KoboDrive};

use super::{by_id, config, store};

const STORE_BOOK: &str = "0f5c7a52-2f1e-4c1b-9d1e-3a0d9f6b1c01";
const SIDELOADED: &str = "file:///mnt/onboard/Books/Invented Tale.kepub.epub";
const FINISHED: &str = "7c1d2e3f-aaaa-4bbb-8ccc-000000000002";
const OLD_FIRMWARE: &str = "7c1d2e3f-aaaa-4bbb-8ccc-000000000003";
const UNREAD: &str = "7c1d2e3f-aaaa-4bbb-8ccc-000000000004";

fn library() -> Vec<KoboBook> {
    vec![
        KoboBook {
            content_id: STORE_BOOK.into(),
            title: "The Lantern Orchard".into(),
            author: "Mira Kestrel".into(),
            isbn: Some("978-0-306-40615-7".into()),
            percent_read: 42,
            read_status: 1,
            date_last_read: Some("2026-11-28T21:14:05.000Z".into()),
            last_started: Some("2026-11-02T19:00:00Z".into()),
            first_event: Some("2026-10-30T08:00:00Z".into()),
            time_spent: 5400,
            ..KoboBook::default()
        },
        KoboBook {
            content_id: SIDELOADED.into(),
            title: "Invented Tale".into(),
            author: "Oren Vale".into(),
            percent_read: 10,
            read_status: 1,
            date_last_read: Some("2026-11-20T10:00:00".into()),
            // No LastTimeStartedReading: the first Event is the start.
            first_event: Some("2026-11-19T07:30:00.123".into()),
            ..KoboBook::default()
        },
        KoboBook {
            content_id: FINISHED.into(),
            title: "Salt and Paper".into(),
            author: "Ida Frost".into(),
            // A finished book whose percentage stayed below 100, as Kobos leave it.
            percent_read: 97,
            read_status: 2,
            date_last_read: Some("2026-11-10T22:00:00Z".into()),
            last_started: Some("2026-10-01T09:00:00Z".into()),
            last_finished: Some("2026-11-09T23:30:00Z".into()),
            ..KoboBook::default()
        },
        KoboBook {
            content_id: OLD_FIRMWARE.into(),
            title: "Quiet Harbour".into(),
            author: "Ned Ashe".into(),
            percent_read: 100,
            read_status: 2,
            // Older firmware: no LastTimeFinishedReading; the last read is the finish.
            date_last_read: Some("2026-09-05T18:00:00".into()),
            ..KoboBook::default()
        },
        KoboBook {
            content_id: UNREAD.into(),
            title: "Never Opened".into(),
            author: "A. Nobody".into(),
            ..KoboBook::default()
        },
    ]
}

fn bookmarks() -> Vec<KoboBookmark> {
    let mark = |id: &str, text: Option<&str>, note: Option<&str>, kind: &str, hidden: bool| KoboBookmark {
        id: id.into(),
        volume_id: STORE_BOOK.into(),
        text: text.map(Into::into),
        annotation: note.map(Into::into),
        created: "2026-11-03T20:01:02Z".into(),
        modified: None,
        kind: kind.into(),
        hidden,
    };
    vec![
        mark("bm-1", Some("The orchard kept its lanterns lit."), None, "highlight", false),
        mark("bm-2", Some("Every branch a small sun."), Some("Lovely image"), "note", false),
        mark("bm-3", None, None, "dogear", false),
        mark("bm-4", Some("Deleted on the device"), None, "highlight", true),
    ]
}

/// A drive under `media/KOBOeReader` with the library written and checkpointed into the main file.
fn drive(media: &Path) -> KoboDrive {
    let d = KoboDrive::create(&media.join("KOBOeReader"), "N418000000001", "00000000-0000-0000-0000-000000000388")
        .expect("virtual Kobo");
    for b in library() {
        d.add_book(&b).expect("book row");
    }
    for m in bookmarks() {
        d.add_bookmark(&m).expect("bookmark row");
    }
    d.checkpoint().expect("checkpoint");
    d
}

async fn items_of(root: &Path) -> Vec<SourceItem> {
    let mut c = config(SourceKind::Kobo, "kobo", "file:///");
    c.path = Some(root.to_path_buf());
    sources::build(&c, None, store()).expect("kobo source builds").list().await.expect("kobo lists")
}

#[tokio::test]
async fn kobo_percent_read_is_the_progress_and_unread_books_are_not_listed() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let items = items_of(&d.root).await;
    let it = by_id(&items, STORE_BOOK);
    assert_eq!(it.fraction, 0.42, "___PercentRead 42 must be a fraction of 0.42");
    assert!(!it.is_finished, "ReadStatus 1 is reading");
    assert_eq!(it.format, Format::Ebook);
    assert!(items.iter().all(|i| i.id != UNREAD), "a book never opened (ReadStatus 0, 0%) is not progress");
    assert!(
        items.iter().all(|i| !i.id.contains("!OEBPS!")),
        "chapter rows (they carry a BookID) must never be read as books"
    );
}

#[tokio::test]
async fn kobo_read_status_finished_is_read_even_below_100_percent() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let items = items_of(&d.root).await;
    let it = by_id(&items, FINISHED);
    assert!(it.is_finished, "ReadStatus 2 must mean finished");
    assert_eq!(it.fraction, 1.0, "a finished book is complete though ___PercentRead stayed at 97");
}

#[tokio::test]
async fn kobo_finish_date_is_last_finished_else_date_last_read() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let items = items_of(&d.root).await;
    assert_eq!(
        by_id(&items, FINISHED).finished_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-09T23:30:00+00:00"),
        "a finished read must keep LastTimeFinishedReading, not DateLastRead"
    );
    assert_eq!(
        by_id(&items, OLD_FIRMWARE).finished_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-09-05T18:00:00+00:00"),
        "without LastTimeFinishedReading the finish is DateLastRead (never the day of the sync)"
    );
    assert_eq!(by_id(&items, STORE_BOOK).finished_at, None, "a book being read has no finish date");
    assert_eq!(
        by_id(&items, STORE_BOOK).updated_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-28T21:14:05+00:00"),
        "DateLastRead (with .%f and Z) is the last activity"
    );
}

#[tokio::test]
async fn kobo_start_date_is_last_started_else_first_event() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let items = items_of(&d.root).await;
    assert_eq!(
        by_id(&items, STORE_BOOK).started_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-02T19:00:00+00:00"),
        "LastTimeStartedReading wins over the first Event"
    );
    assert_eq!(
        by_id(&items, SIDELOADED).started_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-19T07:30:00.123+00:00"),
        "without LastTimeStartedReading the start is min(Event.FirstOccurrence)"
    );
}

#[tokio::test]
async fn kobo_isbn_title_author_and_time_spent() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let items = items_of(&d.root).await;
    let it = by_id(&items, STORE_BOOK);
    assert_eq!(it.title, "The Lantern Orchard", "Title is the title");
    assert_eq!(it.authors, vec!["Mira Kestrel".to_owned()], "Attribution is the author");
    assert_eq!(it.isbn13.as_deref(), Some("9780306406157"), "the ISBN column is normalized for matching");
    assert_eq!(it.isbn10.as_deref(), Some("0306406152"));
    let lib = kobo::read_device(&d.root).expect("device reads");
    let book = lib.books.iter().find(|b| b.content_id == STORE_BOOK).expect("store book row");
    assert_eq!(book.time_spent_seconds, Some(5400), "TimeSpentReading is kept in seconds");
}

#[tokio::test]
async fn kobo_store_and_sideloaded_books_alike() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let lib = kobo::read_device(&d.root).expect("device reads");
    let side = lib.books.iter().find(|b| b.content_id == SIDELOADED).expect("side-loaded book row");
    let store_book = lib.books.iter().find(|b| b.content_id == STORE_BOOK).expect("store book row");
    assert!(side.is_sideloaded() && !store_book.is_sideloaded(), "a file:// ContentID is a side-loaded book");
    let items = items_of(&d.root).await;
    assert_eq!(by_id(&items, SIDELOADED).title, "Invented Tale", "a side-loaded book is listed like a store book");
}

#[tokio::test]
async fn kobo_highlights_and_notes_come_from_bookmark() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let lib = kobo::read_device(&d.root).expect("device reads");
    let keys: Vec<&str> = lib.highlights.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(keys, vec!["bm-1", "bm-2"], "dog-ears and hidden (deleted) bookmarks are not highlights");
    let h = &lib.highlights[1];
    assert_eq!(h.item_id, STORE_BOOK, "a highlight belongs to its VolumeID");
    assert_eq!(h.text, "Every branch a small sun.");
    assert_eq!(h.note.as_deref(), Some("Lovely image"), "Annotation is the note");
    assert_eq!(h.created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-03T20:01:02+00:00"));
    assert_eq!(h.chapter.as_deref(), Some("Chapter One"), "the chapter is the bookmark's content row title");
    assert_eq!(h.entry(), "Every branch a small sun.\n\n---\n\nLovely image", "the note follows a separator line");
}

#[tokio::test]
async fn kobo_data_held_in_the_wal_is_read_from_the_copy() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    // Written after the checkpoint and kept open: these rows exist only in KoboReader.sqlite-wal,
    // as on a Kobo unplugged soon after reading.
    d.read_to(STORE_BOOK, 64, "2026-12-01T07:45:00Z").expect("update in the wal");
    d.add_bookmark(&KoboBookmark {
        id: "bm-wal".into(),
        volume_id: STORE_BOOK.into(),
        text: Some("Only in the log".into()),
        created: "2026-12-01T07:44:00Z".into(),
        kind: "highlight".into(),
        ..KoboBookmark::default()
    })
    .expect("bookmark in the wal");
    let wal = PathBuf::from(format!("{}-wal", d.database().display()));
    assert!(fs::metadata(&wal).is_ok_and(|m| m.len() > 0), "the fixture must hold data in the -wal");
    let main_before = fs::read(d.database()).unwrap();

    let lib = kobo::read_device(&d.root).expect("device reads");
    let book = lib.books.iter().find(|b| b.content_id == STORE_BOOK).unwrap();
    assert_eq!(book.percent_read, Some(64.0), "progress held only in the -wal must be read");
    assert!(lib.highlights.iter().any(|h| h.key == "bm-wal"), "a highlight held only in the -wal must be read");
    assert_eq!(fs::read(d.database()).unwrap(), main_before, "the device's database must not be touched");

    // The main file alone lacks them: proof the rows were only in the log.
    let alone = tempfile::tempdir().unwrap();
    fs::copy(d.database(), alone.path().join("KoboReader.sqlite")).unwrap();
    let without_wal = kobo::read_database(&alone.path().join("KoboReader.sqlite")).unwrap();
    assert_eq!(
        without_wal.books.iter().find(|b| b.content_id == STORE_BOOK).unwrap().percent_read,
        Some(42.0),
        "the main file alone must still say 42% (else the test proves nothing)"
    );
}

#[tokio::test]
async fn kobo_unplugged_after_the_copy_loses_nothing() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path());
    let root = d.root.clone();
    let source = Kobo::new("kobo", None).with_mount_parents(vec![media.path().to_path_buf()]);
    let items = source.list().await.expect("a mounted Kobo is found and listed");
    assert_eq!(items.len(), 4, "four opened books on the device");
    drop(d);
    fs::remove_dir_all(&root).expect("unplug");
    let highlights = source.highlights().await.expect("highlights come from the copy taken by list");
    assert_eq!(highlights.len(), 2, "an unplug after the copy must lose no highlight");
    let err = source.list().await.expect_err("a new sync without the device fails");
    assert!(
        err.to_string().contains("no Kobo is connected"),
        "the message must say the Kobo is not connected, got: {err}"
    );
}

#[tokio::test]
async fn kobo_at_a_path_without_a_kobo_is_a_clear_error() {
    let media = tempfile::tempdir().unwrap();
    let mut c = config(SourceKind::Kobo, "kobo", "file:///");
    c.path = Some(media.path().join("KOBOeReader"));
    let err = sources::build(&c, None, store()).unwrap().list().await.expect_err("no device there");
    assert!(err.to_string().contains("no Kobo is connected at"), "the error must name the missing device: {err}");
    assert!(err.to_string().contains("`path`"), "the error must say which setting to fix: {err}");
}
