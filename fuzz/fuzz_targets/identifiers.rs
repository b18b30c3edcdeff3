#![no_main]
//! ISBN / ASIN (the one `identifiers` module everything uses) and time normalization on arbitrary
//! text: nothing may panic, and what comes out must be accepted again as it is.

use hardcover_sync::identifiers;
use hardcover_sync::sources::normalize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let both = identifiers::isbns(&text);
    for isbn in both.isbn13.iter().chain(both.isbn10.iter()) {
        assert_eq!(identifiers::isbn(isbn).as_deref(), Some(isbn.as_str()), "a canonical ISBN must read back as itself");
    }
    if let Some(thirteen) = identifiers::isbn10_to_13(&text) {
        assert!(identifiers::isbn(&thirteen).is_some_and(|s| s.len() == 13), "a converted ISBN-10 must be a valid ISBN-13");
    }
    if let Some(asin) = identifiers::asin(&text) {
        assert_eq!(identifiers::asin(&asin), Some(asin.clone()), "a canonical ASIN must read back as itself");
    }
    let _ = normalize::from_iso(Some(&text));
    if data.len() >= 8 {
        let n = f64::from_le_bytes(data[..8].try_into().unwrap_or_default());
        let _ = normalize::fraction(n);
        let _ = normalize::from_epoch_ms(Some(n));
        let _ = normalize::from_epoch_s(Some(n));
    }
});
