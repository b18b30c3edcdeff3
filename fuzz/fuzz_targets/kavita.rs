#![no_main]
//! Kavita's authenticate reply, series page, Pagination header and volumes on arbitrary bytes.

use hardcover_sync::sources::kavita::{
    KavitaSeries, parse_auth, parse_pagination, parse_series_page, parse_volumes, to_source_item,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_auth(data);
    let _ = parse_pagination(data);
    let _ = parse_series_page(data);
    if let Ok(volumes) = parse_volumes(data) {
        let series = KavitaSeries { id: 1, name: None, library_id: 1, format: None };
        for v in &volumes {
            for ch in &v.chapters {
                let _ = to_source_item("fuzz", &series, v, ch);
            }
        }
    }
});
