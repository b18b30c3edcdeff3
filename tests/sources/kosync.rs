use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hardcover_sync::config::SourceKind;
use hardcover_sync::secret::Secret;
use hardcover_sync::sources::kosync::{hash, scan_library};
use hardcover_sync::sources::{self, Format, SourceError, WriteBack};
use hardcover_sync::store::Store;
use hardcover_sync_emulators::kosync::{KosyncEmulator, md5_hex};

use super::{by_id, config};

/// Bytes whose KOReader partial MD5 was computed independently (Python's hashlib over the
/// samples at 0, 1 Ki, 4 Ki, 16 Ki, 64 Ki and 256 Ki).
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + 7) % 251) as u8).collect()
}

#[test]
fn partial_md5_matches_known_answers() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pdf");
    std::fs::write(&big, pattern(300_000)).unwrap();
    assert_eq!(
        hash::partial_md5_file(&big).unwrap(),
        "3d87fe2dd28ddc7895ae5e290bfa539e",
        "a 300,000-byte file is sampled at 0, 1 KiB, 4 KiB, 16 KiB, 64 KiB and 256 KiB"
    );
    let small = dir.path().join("small.pdf");
    std::fs::write(&small, pattern(5_000)).unwrap();
    assert_eq!(
        hash::partial_md5_file(&small).unwrap(),
        "e9b23960f33568cd50442e8f305853c3",
        "a 5,000-byte file is sampled at 0, 1 KiB and 4 KiB (the last sample short)"
    );
    assert_eq!(hash::filename_md5(&dir.path().join("Other Book.pdf")), "4b47262fd030b4a7288114be276d4b96");
}

/// A small valid EPUB with an OPF naming title, authors and an ISBN, padded past 64 KiB so the
/// partial MD5 takes several samples.
pub(crate) fn write_epub(path: &Path, title: &str, isbn: &str) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/epub+zip").unwrap();
    zip.start_file("META-INF/container.xml", stored).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#).unwrap();
    zip.start_file("OEBPS/content.opf", stored).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf"><dc:title>{title}</dc:title><dc:creator opf:role="aut">Ursula K. Le Guin</dc:creator><dc:identifier opf:scheme="ISBN">{isbn}</dc:identifier></metadata></package>"#
    )
    .unwrap();
    zip.start_file("OEBPS/filler.bin", stored).unwrap();
    zip.write_all(&pattern(80_000)).unwrap();
    zip.finish().unwrap();
}

struct Library {
    _dir: tempfile::TempDir,
    root: PathBuf,
    epub: PathBuf,
    pdf: PathBuf,
}

fn library() -> Library {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("books");
    std::fs::create_dir_all(root.join("nested")).unwrap();
    let epub = root.join("nested/Earthsea.epub");
    write_epub(&epub, "A Wizard of Earthsea", "978-0-547-77374-2");
    let pdf = root.join("Other Book.pdf");
    std::fs::write(&pdf, pattern(10_000)).unwrap();
    std::fs::write(root.join("notes.md"), "not a book").unwrap();
    Library { _dir: dir, root, epub, pdf }
}

#[test]
fn rescans_reuse_cached_hashes() {
    let lib = library();
    let db = tempfile::tempdir().unwrap();
    let store = Store::open(&db.path().join("db.sqlite3")).unwrap();
    let (books, first) = scan_library(std::slice::from_ref(&lib.root), &store).unwrap();
    assert_eq!((first.files, first.hashed, first.cached), (2, 2, 0), "a first scan hashes every book file");
    let epub = books.iter().find(|b| b.path == lib.epub).unwrap();
    assert_eq!(epub.title.as_deref(), Some("A Wizard of Earthsea"), "the title comes from the OPF");
    assert_eq!(epub.authors, ["Ursula K. Le Guin"]);
    assert_eq!(epub.isbn.as_deref(), Some("9780547773742"), "the ISBN from the OPF, normalized");
    assert_eq!(epub.partial_md5, hash::partial_md5_file(&lib.epub).unwrap());

    // Poison the cached hash: if the second scan re-read the file it would get the real one back.
    let mut row = store.kosync_file(&lib.epub.to_string_lossy()).unwrap().unwrap();
    row.partial_md5 = "0".repeat(32);
    store.kosync_file_put(&row).unwrap();
    let (books, second) = scan_library(std::slice::from_ref(&lib.root), &store).unwrap();
    assert_eq!((second.hashed, second.cached), (0, 2), "an unchanged library is not read again");
    let epub = books.iter().find(|b| b.path == lib.epub).unwrap();
    assert_eq!(epub.partial_md5, "0".repeat(32), "an unchanged file's hash comes from the cache, not the disk");

    let mut f = std::fs::OpenOptions::new().append(true).open(&lib.pdf).unwrap();
    f.write_all(b"appended annotation").unwrap();
    drop(f);
    let (_, third) = scan_library(std::slice::from_ref(&lib.root), &store).unwrap();
    assert_eq!((third.hashed, third.cached), (1, 1), "a file whose size changed is hashed again, only that one");
}

fn source(url: &str, lib: &Library, password: &str, store: Arc<Store>) -> Box<dyn sources::ProgressSource> {
    let mut c = config(SourceKind::Kosync, "kosync", url);
    c.username = Some("reader".into());
    c.library = vec![lib.root.clone()];
    sources::build(&c, Some(Secret::new(password)), store).unwrap()
}

#[tokio::test]
async fn lists_by_partial_md5_then_filename_md5() {
    let lib = library();
    let partial = hash::partial_md5_file(&lib.epub).unwrap();
    let by_name = md5_hex("Other Book.pdf");
    let emu = KosyncEmulator::builder()
        .user("reader", "pa55")
        .progress("reader", &partial, 0.3188, 1_717_171_717)
        .progress("reader", &by_name, 1.0, 1_717_000_000)
        .start()
        .await
        .unwrap();
    let ko = source(&emu.base_url(), &lib, "pa55", super::store());
    let items = ko.list().await.unwrap();
    assert_eq!(items.len(), 2, "one book found by content hash, one by file name");
    let epub = by_id(&items, &partial);
    assert_eq!(epub.title, "A Wizard of Earthsea");
    assert_eq!(epub.isbn13.as_deref(), Some("9780547773742"));
    assert_eq!(epub.format, Format::Ebook);
    assert_eq!(epub.fraction, 0.3188);
    assert_eq!(epub.updated_at.unwrap().timestamp(), 1_717_171_717, "timestamp is epoch seconds");
    assert!(!epub.is_finished);
    let pdf = by_id(&items, &by_name);
    assert_eq!(pdf.title, "Other Book", "without metadata the title is the file name");
    assert!(pdf.is_finished, "100% is finished");
}

#[tokio::test]
async fn missing_documents_as_404_are_not_errors() {
    let lib = library();
    let emu = KosyncEmulator::builder().user("reader", "pa55").missing_as_404().start().await.unwrap();
    let items = source(&emu.base_url(), &lib, "pa55", super::store()).list().await.unwrap();
    assert!(items.is_empty(), "a server answering 404 for unknown documents means no progress");
}

#[tokio::test]
async fn write_back_puts_the_percentage() {
    let lib = library();
    let emu = KosyncEmulator::builder().user("reader", "pa55").start().await.unwrap();
    let ko = source(&emu.base_url(), &lib, "pa55", super::store());
    ko.write_back("abc123", &WriteBack::Progress { fraction: 0.42, position: None }).await.unwrap();
    let doc = emu.document("reader", "abc123").unwrap();
    assert_eq!(doc["percentage"], 0.42);
    assert_eq!(doc["device"], "Hardcover Sync", "the device name tells KOReader users where it came from");
    ko.write_back("abc123", &WriteBack::Finished { finished_at: None }).await.unwrap();
    assert_eq!(emu.document("reader", "abc123").unwrap()["percentage"], 1.0);
}

#[tokio::test]
async fn wrong_password_and_missing_folder_are_clear() {
    let lib = library();
    let emu = KosyncEmulator::builder().user("reader", "pa55").start().await.unwrap();
    let err = source(&emu.base_url(), &lib, "wrong", super::store()).list().await.unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized { .. }), "{err:?}");

    let mut c = config(SourceKind::Kosync, "kosync", &emu.base_url());
    c.username = Some("reader".into());
    c.library = vec![lib.root.join("does-not-exist")];
    let ko = sources::build(&c, Some(Secret::new("pa55")), super::store()).unwrap();
    let err = ko.list().await.unwrap_err().to_string();
    assert!(err.contains("does-not-exist") && err.contains("does not exist"), "the folder is named: {err}");
}
