#![no_main]
//! Komga's book page and book parsers, and the conversion to items, on arbitrary bytes.

use hardcover_sync::sources::komga::{parse_book, parse_books_page, to_source_item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = parse_books_page(data) {
        for book in &page.content {
            let _ = to_source_item("fuzz", book);
        }
    }
    if let Ok(book) = parse_book(data) {
        let _ = to_source_item("fuzz", &book);
    }
});
