#![no_main]
//! ISBN / ASIN / time normalization on arbitrary text.

use hardcover_sync::sources::normalize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = normalize::isbns(Some(&text));
    let _ = normalize::asin(Some(&text));
    let _ = normalize::from_iso(Some(&text));
    if data.len() >= 8 {
        let n = f64::from_le_bytes(data[..8].try_into().unwrap_or_default());
        let _ = normalize::fraction(n);
        let _ = normalize::from_epoch_ms(Some(n));
        let _ = normalize::from_epoch_s(Some(n));
    }
});
