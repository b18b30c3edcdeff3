//! Every response parser is a pure function over bytes that must never panic: truncated bodies,
//! garbage and wrong shapes give errors. (The same parsers are fuzzed in `fuzz/`.)

use hardcover_sync::sources::{audiobookshelf, kavita, komga, kosync, revenge};

type Parser = fn(&[u8]) -> bool;

fn parsers() -> Vec<(&'static str, Parser, &'static [u8])> {
    vec![
        ("abs me", |b| audiobookshelf::parse_me(b).is_ok(), br#"{"mediaProgress":[{"libraryItemId":"a","episodeId":null,"mediaItemType":"book","duration":600,"progress":0.4,"currentTime":240,"isFinished":false,"ebookProgress":0,"lastUpdate":1795595134607,"startedAt":1795595134607,"finishedAt":null}]}"#),
        ("abs libraries", |b| audiobookshelf::parse_libraries(b).is_ok(), br#"{"libraries":[{"id":"l","name":"Books","mediaType":"book"}]}"#),
        ("abs items", |b| audiobookshelf::parse_library_items(b).is_ok(), br#"{"results":[{"id":"a","mediaType":"book","media":{"metadata":{"title":"T","authorName":"A, B","isbn":"9780306406157","asin":null},"duration":600.1,"numAudioFiles":1}}],"total":1,"limit":50,"page":0}"#),
        ("abs item", |b| audiobookshelf::parse_item(b).is_ok(), br#"{"id":"a","mediaType":"book","media":{"metadata":{"title":"T","authors":[{"id":"x","name":"A"}]},"duration":0,"ebookFile":{"ino":"1"}}}"#),
        ("abs progress", |b| audiobookshelf::parse_progress(b).is_ok(), br#"{"libraryItemId":"a","progress":0.5,"isFinished":false}"#),
        ("komga page", |b| komga::parse_books_page(b).is_ok(), br#"{"content":[{"id":"b","media":{"mediaType":"application/epub+zip","pagesCount":10},"metadata":{"title":"T","isbn":"","authors":[{"name":"A","role":"writer"}]},"readProgress":{"page":3,"completed":false}}],"last":true,"totalPages":1,"number":0}"#),
        ("komga book", |b| komga::parse_book(b).is_ok(), br#"{"id":"b","media":{"pagesCount":10},"metadata":{"title":"T"},"readProgress":null}"#),
        ("kavita auth", |b| kavita::parse_auth(b).is_ok(), br#"{"username":"u","token":"eyJ.x","refreshToken":"r"}"#),
        ("kavita series", |b| kavita::parse_series_page(b).is_ok(), br#"[{"id":12,"name":"Dune","libraryId":1,"format":3}]"#),
        ("kavita pagination", |b| kavita::parse_pagination(b).is_ok(), br#"{"currentPage":1,"itemsPerPage":200,"totalItems":1,"totalPages":1}"#),
        ("kavita volumes", |b| kavita::parse_volumes(b).is_ok(), br#"[{"id":15,"chapters":[{"id":20,"pages":812,"pagesRead":300,"titleName":"Dune","isbn":"9780441172719","writers":[{"id":3,"name":"Frank Herbert"}],"lastReadingProgressUtc":"2025-03-01T08:00:00Z","files":[{"format":3}]}]}]"#),
        ("kosync progress", |b| kosync::parse_progress(b).is_ok(), br#"{"document":"0b22","percentage":0.31,"progress":"/body/p[1]","device":"PB","device_id":"8C","timestamp":1717171717}"#),
        ("kosync auth", |b| kosync::parse_auth(b).is_ok(), br#"{"authorized":"OK"}"#),
        ("revenge books", |b| revenge::parse_books_page(b).is_ok(), br#"{"items":[{"id":"r","title":"T","authors":["A"],"format":"audio"}],"page":1,"per_page":100,"total":1}"#),
        ("revenge progress", |b| revenge::parse_progress(b).is_ok(), br#"{"fraction":0.5,"finished":false}"#),
    ]
}

/// A small deterministic byte generator, so the garbage is the same on every run.
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x & 0xff) as u8
        })
        .collect()
}

#[test]
fn truncated_bodies_are_errors_not_panics() {
    for (name, parse, valid) in parsers() {
        assert!(parse(valid), "{name}: the valid sample must parse");
        for cut in 0..valid.len() {
            assert!(!parse(&valid[..cut]), "{name}: a body cut at byte {cut} must be an error");
        }
    }
}

#[test]
fn garbage_and_wrong_shapes_never_panic() {
    let mut inputs: Vec<Vec<u8>> = [
        &b""[..],
        b"null",
        b"[]",
        b"{}",
        b"\"text\"",
        b"<!DOCTYPE html><html></html>",
        b"{\"results\": 5}",
        b"{\"mediaProgress\": [null, 1, \"x\"]}",
        b"{\"content\": [{\"id\": 1}]}",
        b"[{\"id\": \"twelve\"}]",
        b"{\"percentage\": \"NaN\", \"timestamp\": 1e400}",
        b"\xff\xfe\x00",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    inputs.push("[".repeat(100_000).into_bytes());
    inputs.push(format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000)).into_bytes());
    for seed in 0..200 {
        inputs.push(garbage(seed, (seed as usize * 7) % 300));
    }
    for (_, parse, valid) in parsers() {
        for input in &inputs {
            let _ = parse(input);
        }
        // Flip single bytes of a valid body: each result is fine, as long as nothing panics.
        for i in 0..valid.len() {
            let mut v = valid.to_vec();
            v[i] ^= 0x5a;
            let _ = parse(&v);
        }
    }
    for input in &inputs {
        let _ = kosync::epub::parse_opf(input);
        let _ = kosync::epub::parse_container(input);
        let _ = kosync::epub::read_epub(std::io::Cursor::new(input));
        let _ = kosync::epub::parse_spine(input);
        let _ = kosync::epub::spine_text_lengths(std::io::Cursor::new(input));
        let _ = kosync::position::pdf_page_count(input);
        let _ = kosync::position::cbz_page_count(std::io::Cursor::new(input));
    }
}
