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

/// Text characters in each chapter of [`write_epub`]'s spine, in reading order.
pub(crate) const CHAPTER_TEXT: [usize; 3] = [1_000, 2_000, 7_000];

/// A small valid EPUB with an OPF naming title, authors and an ISBN, and a spine of three
/// chapters holding [`CHAPTER_TEXT`] characters, padded past 64 KiB so the partial MD5 takes
/// several samples.
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
        r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf"><dc:title>{title}</dc:title><dc:creator opf:role="aut">Ursula K. Le Guin</dc:creator><dc:identifier opf:scheme="ISBN">{isbn}</dc:identifier></metadata><manifest><item id="css" href="style.css" media-type="text/css"/><item id="c3" href="Text/ch3.xhtml" media-type="application/xhtml+xml"/><item id="c1" href="Text/ch1.xhtml" media-type="application/xhtml+xml"/><item id="c2" href="Text/ch2.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/><itemref idref="c2"/><itemref idref="c3"/></spine></package>"#
    )
    .unwrap();
    for (i, chars) in CHAPTER_TEXT.iter().enumerate() {
        zip.start_file(format!("OEBPS/Text/ch{}.xhtml", i + 1), stored).unwrap();
        // Markup is no text: the long attribute must not weigh on the chapter's share.
        write!(
            zip,
            r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body class="{}"><p>{}</p></body></html>"#,
            "m".repeat(5_000),
            "w".repeat(*chars - 1)
        )
        .unwrap();
    }
    zip.start_file("OEBPS/filler.bin", stored).unwrap();
    zip.write_all(&pattern(80_000)).unwrap();
    zip.finish().unwrap();
}

/// A minimal PDF whose page tree holds `pages` pages (an outline with a larger `/Count` too).
pub(crate) fn write_pdf(path: &Path, pages: u32) {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 10 + i)).collect();
    let mut pdf = format!(
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Outlines 3 0 R >>\nendobj\n\
         2 0 obj\n<< /Type /Pages /Kids [{}] /Count {pages} >>\nendobj\n\
         3 0 obj\n<< /Type /Outlines /Count {} >>\nendobj\n",
        kids.join(" "),
        pages * 3
    );
    for i in 0..pages {
        pdf.push_str(&format!("{} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n", 10 + i));
    }
    pdf.push_str("trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    // Padded so the partial MD5 samples past the header.
    pdf.push_str(&"%".repeat(10_000));
    std::fs::write(path, pdf).unwrap();
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
    write_pdf(&pdf, 12);
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

fn declined_code(err: SourceError) -> &'static str {
    match err {
        SourceError::Declined { code, .. } => code,
        other => panic!("expected a declined write-back, got {other:?}"),
    }
}

#[tokio::test]
async fn round_trip_reads_by_partial_md5_and_writes_back_koreader_positions() {
    let lib = library();
    let epub_doc = hash::partial_md5_file(&lib.epub).unwrap();
    let pdf_doc = hash::partial_md5_file(&lib.pdf).unwrap();
    let emu = KosyncEmulator::builder()
        .user("reader", "pa55")
        .progress("reader", &epub_doc, 0.05, 1_717_171_717)
        .start()
        .await
        .unwrap();
    let ko = source(&emu.base_url(), &lib, "pa55", super::store());
    let items = ko.list().await.unwrap();
    assert_eq!(by_id(&items, &epub_doc).fraction, 0.05, "the EPUB's position is read by its partial MD5");

    // 0.25 of 10,000 characters is the 2,500th: past chapter 1 (1,000), inside chapter 2 (3,000).
    ko.write_back(&epub_doc, &WriteBack::Progress { fraction: 0.256_789, position: None }).await.unwrap();
    let doc = emu.document("reader", &epub_doc).unwrap();
    assert_eq!(
        doc["progress"], "/body/DocFragment[2]/body",
        "an EPUB gets an xpointer into the spine item holding the fraction"
    );
    assert_eq!(doc["percentage"], 0.2567, "the percentage is floored to four decimals as KOReader does");
    assert_eq!(doc["device"], "Hardcover Sync", "the device name tells KOReader users where it came from");

    // 12 pages: 0.42 is page 5 (5.04 rounded), the last page when finished.
    ko.write_back(&pdf_doc, &WriteBack::Progress { fraction: 0.42, position: None }).await.unwrap();
    let doc = emu.document("reader", &pdf_doc).unwrap();
    assert_eq!(doc["progress"], "5", "a PDF gets the page number as a string");
    assert_eq!(doc["percentage"], 0.42);
    ko.write_back(&pdf_doc, &WriteBack::Finished { finished_at: None }).await.unwrap();
    let doc = emu.document("reader", &pdf_doc).unwrap();
    assert_eq!(
        (doc["progress"].as_str(), doc["percentage"].as_i64()),
        (Some("12"), Some(1)),
        "finished is the last page at 100%"
    );

    let puts: Vec<_> = emu.recorded().into_iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 3, "one PUT per write-back");
    for put in &puts {
        let accept = put.headers.iter().find(|(k, _)| k == "accept").map(|(_, v)| v.as_str());
        assert_eq!(accept, Some("application/vnd.koreader.v1+json"), "every request carries KOReader's Accept header");
        assert!(
            !put.body["progress"].as_str().unwrap().starts_with("0."),
            "a bare fraction is never sent as a position: {}",
            put.body
        );
    }
}

#[tokio::test]
async fn write_back_is_skipped_when_no_position_can_be_placed() {
    let lib = library();
    let emu = KosyncEmulator::builder().user("reader", "pa55").start().await.unwrap();
    let ko = source(&emu.base_url(), &lib, "pa55", super::store());
    ko.list().await.unwrap();
    let err = ko
        .write_back("0123456789abcdef0123456789abcdef", &WriteBack::Progress { fraction: 0.4, position: None })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot_place_position"), "history names the reason: {err}");
    assert_eq!(declined_code(err), "cannot_place_position", "a document with no local file cannot be placed");

    // A PDF whose page tree cannot be read (compressed, damaged) cannot be placed either.
    std::fs::write(&lib.pdf, pattern(10_000)).unwrap();
    ko.list().await.unwrap();
    let pdf_doc = hash::partial_md5_file(&lib.pdf).unwrap();
    let err = ko.write_back(&pdf_doc, &WriteBack::Progress { fraction: 0.4, position: None }).await.unwrap_err();
    assert_eq!(declined_code(err), "cannot_place_position", "a PDF without a readable page count is not written");
    assert!(!emu.requests().iter().any(|r| r.starts_with("PUT")), "nothing was sent to the server");
}

#[tokio::test]
async fn write_back_never_moves_a_device_that_is_further_on() {
    let lib = library();
    let epub_doc = hash::partial_md5_file(&lib.epub).unwrap();
    let emu = KosyncEmulator::builder()
        .user("reader", "pa55")
        .progress("reader", &epub_doc, 0.2, 1_717_000_000)
        .start()
        .await
        .unwrap();
    let ko = source(&emu.base_url(), &lib, "pa55", super::store());
    ko.list().await.unwrap();
    // Between the listing and the write-back the reader moves on, on the device.
    emu.push("reader", &epub_doc, 0.81, "/body/DocFragment[3]/body/p[40]/text().12", "Kobo Libra");
    let err = ko.write_back(&epub_doc, &WriteBack::Progress { fraction: 0.5, position: None }).await.unwrap_err();
    assert!(
        err.to_string().contains("81.0%") && err.to_string().contains("Kobo Libra"),
        "the reason says where the device is: {err}"
    );
    assert_eq!(declined_code(err), "source_is_further", "the server keeps the last write: a lower one is not sent");
    let doc = emu.document("reader", &epub_doc).unwrap();
    assert_eq!(doc["progress"], "/body/DocFragment[3]/body/p[40]/text().12", "the device's own position is kept");
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

#[tokio::test]
async fn a_url_that_is_not_the_sync_server_says_so() {
    let lib = library();
    let emu = KosyncEmulator::builder().user("reader", "pa55").start().await.unwrap();
    // The server is at the root; this path is nginx's HTML 404 for every route.
    let err = source(&format!("{}/kosync/", emu.base_url()), &lib, "pa55", super::store()).list().await.unwrap_err();
    let m = err.to_string();
    assert!(
        m.starts_with("kosync: ") && m.contains("no KOReader sync server at"),
        "an HTML 404 means a wrong url: {m}"
    );
}

#[tokio::test]
async fn a_proxy_stripping_the_accept_header_is_named() {
    let lib = library();
    let emu = KosyncEmulator::builder().user("reader", "pa55").behind_proxy_stripping_accept().start().await.unwrap();
    let m = source(&emu.base_url(), &lib, "pa55", super::store()).list().await.unwrap_err().to_string();
    assert!(m.contains("proxy") && m.contains("Accept header"), "a 412 names the likely cause: {m}");
}
