//! Turning what servers say into the normalized item's values: identifiers, fractions, times.
//!
//! Servers hold whatever users typed: ISBNs with hyphens, an ISBN-10 in a field called `isbn`,
//! lowercase ASINs, fractions past 1, negative seconds, timestamps of 0. Everything here is pure so
//! each rule is tested on its own.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// ISBN-13 and ISBN-10 for one raw value. A valid ISBN-10 also yields its ISBN-13 and a 978 ISBN-13
/// its ISBN-10, because Hardcover editions may carry either one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Isbns {
    pub isbn13: Option<String>,
    pub isbn10: Option<String>,
}

/// Normalize a raw ISBN (either length, hyphens and spaces allowed). Invalid check digits give
/// nothing: a wrong ISBN would match the wrong book, which is worse than matching by title.
pub fn isbns(raw: Option<&str>) -> Isbns {
    let Some(raw) = raw else { return Isbns::default() };
    let cleaned: String = raw
        .trim()
        .trim_start_matches("urn:isbn:")
        .trim_start_matches("ISBN")
        .trim_start_matches(':')
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}' | '\u{2013}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if is_isbn13(&cleaned) {
        let isbn10 = cleaned.strip_prefix("978").map(|body| {
            let body = &body[..9];
            format!("{body}{}", isbn10_check(body))
        });
        Isbns { isbn13: Some(cleaned), isbn10 }
    } else if is_isbn10(&cleaned) {
        let body = format!("978{}", &cleaned[..9]);
        let check = isbn13_check(&body);
        Isbns { isbn13: Some(format!("{body}{check}")), isbn10: Some(cleaned) }
    } else {
        Isbns::default()
    }
}

fn is_isbn13(s: &str) -> bool {
    s.len() == 13
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s.starts_with("978") || s.starts_with("979"))
        && isbn13_check(&s[..12]) == s.as_bytes()[12] as char
}

fn is_isbn10(s: &str) -> bool {
    s.len() == 10
        && s.as_bytes()[..9].iter().all(u8::is_ascii_digit)
        && (s.as_bytes()[9].is_ascii_digit() || s.as_bytes()[9] == b'X')
        && isbn10_check(&s[..9]) == s.as_bytes()[9] as char
}

/// Check digit for the first 12 digits of an ISBN-13 (weights 1, 3, 1, 3, …).
pub fn isbn13_check(first12: &str) -> char {
    let sum: u32 = first12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Check digit for the first 9 digits of an ISBN-10 (weights 10 down to 2, mod 11, 10 is `X`).
pub fn isbn10_check(first9: &str) -> char {
    let sum: u32 = first9.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * (10 - i as u32)).sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    }
}

/// Amazon's ASIN: ten letters or digits, uppercase.
pub fn asin(raw: Option<&str>) -> Option<String> {
    let s = raw?.trim().to_ascii_uppercase();
    (s.len() == 10 && s.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(s)
}

/// A fraction in 0..=1. Rounding noise just past the ends is clamped; anything further out (7,
/// -3, NaN) is rejected with a reason, because a server that says 700% has not told us where the
/// reader is.
pub fn fraction(raw: f64) -> Result<f64, String> {
    if raw.is_nan() {
        return Err("progress is not a number".into());
    }
    if (-0.001..=1.001).contains(&raw) {
        Ok(raw.clamp(0.0, 1.0))
    } else {
        Err(format!("progress {raw} is outside 0..1"))
    }
}

/// A non-negative, finite amount of seconds or pages; anything else is unknown.
pub fn amount(raw: Option<f64>) -> Option<f64> {
    raw.filter(|v| v.is_finite() && *v >= 0.0)
}

/// The earliest and latest instants a reading server can sensibly report. Epoch 0 and dates in the
/// far future are placeholders, not dates.
fn plausible(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let lo = Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0).single()?;
    let hi = Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).single()?;
    (lo..hi).contains(&t).then_some(t)
}

/// Epoch milliseconds (Audiobookshelf).
pub fn from_epoch_ms(ms: Option<f64>) -> Option<DateTime<Utc>> {
    let ms = ms.filter(|v| v.is_finite())?;
    if ms.abs() > 1e15 {
        return None;
    }
    plausible(Utc.timestamp_millis_opt(ms as i64).single()?)
}

/// Epoch seconds (kosync).
pub fn from_epoch_s(s: Option<f64>) -> Option<DateTime<Utc>> {
    let s = s.filter(|v| v.is_finite())?;
    if s.abs() > 1e12 {
        return None;
    }
    plausible(Utc.timestamp_opt(s as i64, 0).single()?)
}

/// RFC 3339, or a zone-less timestamp which these servers write in UTC (Kavita's `…Utc` fields,
/// Komga's `LocalDateTime`s on a UTC host).
pub fn from_iso(raw: Option<&str>) -> Option<DateTime<Utc>> {
    let raw = raw?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return plausible(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    plausible(Utc.from_utc_datetime(&naive))
}

/// Non-empty, trimmed text.
pub fn text(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn13_with_hyphens_gives_both_forms() {
        let i = isbns(Some("978-0-306-40615-7"));
        assert_eq!(i.isbn13.as_deref(), Some("9780306406157"), "hyphens must be stripped");
        assert_eq!(i.isbn10.as_deref(), Some("0306406152"), "a 978 ISBN-13 must also yield its ISBN-10");
    }

    #[test]
    fn isbn10_in_an_isbn_field_is_converted() {
        let i = isbns(Some("0-8044-2957-X"));
        assert_eq!(i.isbn10.as_deref(), Some("080442957X"), "a trailing X is a valid ISBN-10 check digit");
        assert_eq!(i.isbn13.as_deref(), Some("9780804429573"), "an ISBN-10 must also yield its ISBN-13");
    }

    #[test]
    fn invalid_isbns_give_nothing() {
        assert_eq!(isbns(Some("9780306406158")), Isbns::default(), "a bad check digit must be rejected");
        assert_eq!(isbns(Some("hello")), Isbns::default());
        assert_eq!(isbns(Some("")), Isbns::default());
        assert_eq!(isbns(None), Isbns::default());
        let i = isbns(Some("979-10-90636-07-1"));
        assert_eq!(i.isbn13.as_deref(), Some("9791090636071"));
        assert_eq!(i.isbn10, None, "a 979 ISBN-13 has no ISBN-10");
    }

    #[test]
    fn asins_are_validated() {
        assert_eq!(asin(Some(" b0testasin ")).as_deref(), Some("B0TESTASIN"));
        assert_eq!(asin(Some("short")), None);
        assert_eq!(asin(None), None);
    }

    #[test]
    fn fractions_clamp_noise_and_reject_nonsense() {
        assert_eq!(fraction(1.0000001), Ok(1.0));
        assert_eq!(fraction(0.4), Ok(0.4));
        assert!(fraction(7.0).unwrap_err().contains("outside 0..1"), "a fraction of 7 must be rejected");
        assert!(fraction(-0.5).is_err());
        assert!(fraction(f64::NAN).is_err());
    }

    #[test]
    fn times() {
        let t = from_epoch_ms(Some(1_795_595_134_607.0)).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T08:25:34.607+00:00");
        assert_eq!(from_epoch_ms(Some(0.0)), None, "epoch 0 is a placeholder, not a date");
        assert_eq!(from_epoch_ms(Some(-5.0)), None, "a negative time is not a date");
        assert_eq!(from_epoch_s(Some(1_717_171_717.0)).unwrap().to_rfc3339(), "2024-05-31T16:08:37+00:00");
        assert_eq!(from_iso(Some("2025-03-01T09:00:00")).unwrap().to_rfc3339(), "2025-03-01T09:00:00+00:00");
        assert_eq!(from_iso(Some("2025-03-01T08:00:00Z")).unwrap().to_rfc3339(), "2025-03-01T08:00:00+00:00");
        assert_eq!(from_iso(Some("yesterday")), None);
        assert_eq!(amount(Some(-3.0)), None, "negative seconds are unknown, not negative");
    }
}
