//! `kind: koreader`: virtual drives with KOReader (invented books written by the emulators crate),
//! sidecars in each storage mode, and a statistics database.

use std::fs;
use std::path::Path;

use hardcover_sync::config::SourceKind;
use hardcover_sync::sources::koreader::{self, Koreader, Status, Storage};
use hardcover_sync::sources::{self, ProgressSource, SourceItem};
use hardcover_sync_emulators::devices::{KoreaderAnnotation, KoreaderBook, KoreaderDrive, SidecarLocation};

use super::{by_id, config, store};

const READING: &str = "1b2c3d4e5f60718293a4b5c6d7e8f901";
const COMPLETE: &str = "aa11bb22cc33dd44ee55ff6677889900";
const ON_HOLD: &str = "0123456789abcdef0123456789abcdef";

fn reading() -> KoreaderBook {
    KoreaderBook {
        path: "books/Glass Meridian.epub".into(),
        md5: READING.into(),
        title: "Glass Meridian".into(),
        authors: vec!["Tove Arden".into(), "Sam Quill".into()],
        identifiers: vec!["uuid:8a6f0d3e".into(), "ISBN:0-8044-2957-X".into()],
        percent_finished: 0.3125,
        status: Some("reading".into()),
        modified: Some("2026-11-01".into()),
        doc_pages: 320,
        annotations: vec![
            KoreaderAnnotation {
                text: "Light bends where the \"glass\" ends.".into(),
                note: Some("First line\nsecond line".into()),
                datetime: "2026-11-04 21:10:00".into(),
                datetime_updated: Some("2026-11-05 08:00:00".into()),
                chapter: "One".into(),
                pageno: 80,
                drawer: Some("lighten".into()),
            },
            KoreaderAnnotation {
                text: "in-page bookmark".into(),
                datetime: "2026-11-04 21:12:00".into(),
                chapter: "One".into(),
                pageno: 81,
                drawer: None,
                ..KoreaderAnnotation::default()
            },
        ],
        page_turns: vec![1_793_000_000, 1_792_900_000, 1_793_100_000],
    }
}

fn complete() -> KoreaderBook {
    KoreaderBook {
        path: "Comics/Tin Harbor.cbz".into(),
        md5: COMPLETE.into(),
        title: "Tin Harbor".into(),
        authors: vec!["Lu Reyes".into()],
        percent_finished: 0.98,
        status: Some("complete".into()),
        modified: Some("2026-10-21".into()),
        doc_pages: 40,
        page_turns: vec![1_789_000_000, 1_789_000_060],
        ..KoreaderBook::default()
    }
}

fn on_hold() -> KoreaderBook {
    KoreaderBook {
        path: "books/deep/nested/The Long Thaw.pdf".into(),
        md5: ON_HOLD.into(),
        title: "The Long Thaw".into(),
        authors: vec!["Pia Holm".into()],
        percent_finished: 0.5,
        status: Some("abandoned".into()),
        modified: Some("2026-09-30".into()),
        doc_pages: 200,
        ..KoreaderBook::default()
    }
}

/// A drive with KOReader in `dir`, one book per storage mode, and statistics.
fn drive(media: &Path, dir: &str) -> KoreaderDrive {
    let d = KoreaderDrive::create(&media.join("EREADER"), dir).expect("virtual drive");
    d.add_book(&reading(), SidecarLocation::BesideBook).expect("sidecar beside the book");
    d.add_book(&complete(), SidecarLocation::DocSettings).expect("sidecar in docsettings");
    d.add_book(&on_hold(), SidecarLocation::HashDocSettings).expect("sidecar in hashdocsettings");
    d.write_statistics(&[reading(), complete()]).expect("statistics");
    d
}

async fn items_of(root: &Path) -> Vec<SourceItem> {
    let mut c = config(SourceKind::Koreader, "koreader", "file:///");
    c.path = Some(root.to_path_buf());
    sources::build(&c, None, store()).expect("koreader source builds").list().await.expect("koreader lists")
}

#[tokio::test]
async fn koreader_sidecars_are_found_in_all_three_locations_on_each_device_layout() {
    for dir in [".adds/koreader", "koreader", "applications/koreader"] {
        let media = tempfile::tempdir().unwrap();
        let d = drive(media.path(), dir);
        let lib = koreader::read_folder(&d.root).expect("folder reads");
        let storage = |id: &str| lib.books.iter().find(|b| b.id == id).map(|b| b.storage);
        assert_eq!(storage(READING), Some(Storage::BesideBook), "{dir}: a sidecar beside the book must be found");
        assert_eq!(storage(COMPLETE), Some(Storage::DocSettings), "{dir}: a sidecar under docsettings must be found");
        assert_eq!(
            storage(ON_HOLD),
            Some(Storage::HashDocSettings),
            "{dir}: a sidecar under hashdocsettings must be found"
        );
        let docsettings = lib.books.iter().find(|b| b.id == COMPLETE).unwrap();
        assert_eq!(
            docsettings.book_path,
            Path::new("/mnt/onboard/Comics/Tin Harbor.cbz"),
            "{dir}: a docsettings sidecar names the book's device path"
        );
        assert!(lib.unreadable.is_empty(), "{dir}: every sidecar must parse (the .old backups are not read)");
        let mounted = Koreader::new("ko", None).with_mount_parents(vec![media.path().to_path_buf()]);
        assert_eq!(mounted.list().await.expect("found mounted").len(), 3, "{dir}: the mounted device is found");
    }
}

#[tokio::test]
async fn koreader_percent_finished_is_the_progress() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), ".adds/koreader");
    let items = items_of(&d.root).await;
    let it = by_id(&items, READING);
    assert_eq!(it.fraction, 0.3125, "percent_finished is the fraction read");
    assert!(!it.is_finished, "status reading is not finished");
    assert_eq!(it.finished_at, None, "summary.modified is not a finish day while reading");
}

#[tokio::test]
async fn koreader_complete_is_read_with_summary_modified_as_the_finish_day() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), "koreader");
    let items = items_of(&d.root).await;
    let it = by_id(&items, COMPLETE);
    assert!(it.is_finished, "summary.status complete must mean Read");
    assert_eq!(it.fraction, 1.0, "a complete book is whole though percent_finished says 0.98");
    let day = it.finished_at.map(|t| t.with_timezone(&chrono::Local).date_naive().to_string());
    assert_eq!(day.as_deref(), Some("2026-10-21"), "the finish day must be summary.modified in the user's day");
    assert_eq!(it.format, sources::Format::Comic, "a .cbz is a comic");
}

#[tokio::test]
async fn koreader_abandoned_is_on_hold_not_finished() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), "koreader");
    let lib = koreader::read_folder(&d.root).unwrap();
    let book = lib.books.iter().find(|b| b.id == ON_HOLD).unwrap();
    assert_eq!(book.sidecar.status, Some(Status::Abandoned), "abandoned is read as On hold");
    let it = book.to_item("ko");
    assert!(!it.is_finished && it.finished_at.is_none(), "an on-hold book is neither finished nor dated finished");
    assert_eq!(it.fraction, 0.5, "an on-hold book keeps its progress");
}

#[tokio::test]
async fn koreader_title_authors_and_isbn_come_from_doc_props() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), ".adds/koreader");
    let items = items_of(&d.root).await;
    let it = by_id(&items, READING);
    assert_eq!(it.title, "Glass Meridian");
    assert_eq!(it.authors, vec!["Tove Arden".to_owned(), "Sam Quill".to_owned()], "newline-separated authors");
    assert_eq!(
        it.isbn13.as_deref(),
        Some("9780804429573"),
        "an `ISBN:` line of doc_props.identifiers is the ISBN, among other schemes"
    );
}

#[tokio::test]
async fn koreader_start_date_is_the_first_page_turn_in_statistics() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), "applications/koreader");
    let items = items_of(&d.root).await;
    assert_eq!(
        by_id(&items, READING).started_at.map(|t| t.timestamp()),
        Some(1_792_900_000),
        "the start is min(page_stat_data.start_time) for the book's partial MD5"
    );
    assert_eq!(by_id(&items, ON_HOLD).started_at, None, "a book without statistics has no start date");
}

#[tokio::test]
async fn koreader_annotations_are_highlights_with_their_notes() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), ".adds/koreader");
    let source = Koreader::new("ko", Some(d.root.clone()));
    let hs = source.highlights().await.expect("highlights");
    assert_eq!(hs.len(), 1, "a page bookmark (no drawer) is not a highlight");
    let h = &hs[0];
    assert_eq!(h.item_id, READING, "a highlight belongs to the book's partial MD5");
    assert_eq!(h.text, "Light bends where the \"glass\" ends.");
    assert_eq!(h.note.as_deref(), Some("First line\nsecond line"), "the note keeps its line break");
    assert_eq!(h.page, Some(80));
    assert_eq!(h.fraction, Some(0.25), "page 80 of 320 is a quarter of the book");
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%F %T").to_string();
    assert_eq!(h.created_at.map(local).as_deref(), Some("2026-11-04 21:10:00"), "datetime is device-local time");

    // Editing the note keeps the key: the journal entry is updated, not duplicated.
    let mut edited = reading();
    edited.annotations[0].note = Some("Changed my mind".into());
    fs::remove_dir_all(d.root.join("books/Glass Meridian.sdr")).unwrap();
    d.add_book(&edited, SidecarLocation::BesideBook).unwrap();
    let again = Koreader::new("ko", Some(d.root.clone())).highlights().await.unwrap();
    assert_eq!(again[0].key, h.key, "a highlight's key must survive an edit of its note");
    assert_eq!(again[0].note.as_deref(), Some("Changed my mind"));
}

#[tokio::test]
async fn koreader_reads_a_folder_synced_from_the_device() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), "koreader");
    // Syncthing of KOReader's own folder: docsettings, hashdocsettings and statistics, no books.
    let synced = media.path().join("synced");
    copy_tree(&d.koreader_dir, &synced);
    let items = items_of(&synced).await;
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert!(ids.contains(&COMPLETE) && ids.contains(&ON_HOLD), "sidecars in a synced folder are read: {ids:?}");
    assert!(by_id(&items, COMPLETE).started_at.is_some(), "the synced statistics give start dates");
}

#[tokio::test]
async fn koreader_a_broken_sidecar_is_skipped_and_the_others_read() {
    let media = tempfile::tempdir().unwrap();
    let d = drive(media.path(), "koreader");
    let broken = d.root.join("books/Broken.sdr");
    fs::create_dir_all(&broken).unwrap();
    fs::write(broken.join("metadata.epub.lua"), "return { [\"percent_finished\"] = os.exit() }").unwrap();
    let lib = koreader::read_folder(&d.root).expect("one bad file must not fail the device");
    assert_eq!(lib.unreadable.len(), 1, "the broken sidecar is reported");
    assert!(lib.unreadable[0].1.contains("line 1"), "the report says where: {}", lib.unreadable[0].1);
    assert_eq!(lib.items("ko").len(), 3, "the other books are still read");
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}
