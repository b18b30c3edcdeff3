#![no_main]
//! Audiobookshelf response parsers, and the item/progress join, on arbitrary bytes.

use hardcover_sync::sources::audiobookshelf::{
    parse_item, parse_libraries, parse_library_items, parse_me, parse_progress, to_source_item,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_libraries(data);
    let _ = parse_progress(data);
    let items = parse_library_items(data).map(|p| p.results).unwrap_or_default();
    let progress = parse_me(data).unwrap_or_default();
    if let Ok(item) = parse_item(data) {
        for p in &progress {
            let _ = to_source_item("fuzz", &item, p);
        }
    }
    for item in &items {
        for p in &progress {
            let _ = to_source_item("fuzz", item, p);
        }
    }
});
