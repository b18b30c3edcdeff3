#![no_main]
//! Revenge's (assumed) book page and progress parsers on arbitrary bytes.

use hardcover_sync::sources::revenge::{parse_books_page, parse_progress, to_source_item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let progress = parse_progress(data);
    if let Ok(page) = parse_books_page(data) {
        if let Ok(p) = &progress {
            for book in &page.items {
                let _ = to_source_item("fuzz", book, p);
            }
        }
    }
});
