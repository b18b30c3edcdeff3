//! Turning what servers say into the normalized item's values: fractions, amounts, times, text
//! (identifiers: [`crate::identifiers`]).
//!
//! Servers hold whatever users typed: fractions past 1, negative seconds, timestamps of 0.
//! Everything here is pure so each rule is tested on its own.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

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
