//! Progress on the edition's terms, and the user's local day.
//!
//! Hardcover computes a read's percentage from the read's edition: seconds for audio editions,
//! pages for text ones. Sending pages to an audiobook edition (or anything to an edition with
//! neither number) shows 0%, which is one of the bugs peers shipped.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveTime, TimeZone, Utc};

use super::matching::format_matches;
use super::port::{Edition, Measure, Read, UserBook};
use crate::sources::model::Format;

/// The user's time zone, for turning a source's finish instant into the day they finished.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// A fixed offset (tests, `--utc-offset`, servers without a local zone).
    Fixed(FixedOffset),
    /// The machine's zone, daylight saving included.
    Local,
}

impl Zone {
    pub fn utc() -> Self {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset"))
    }

    /// The calendar day `t` falls on for the user.
    pub fn date_of(self, t: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Fixed(o) => t.with_timezone(&o).date_naive(),
            Zone::Local => t.with_timezone(&Local).date_naive(),
        }
    }

    /// Noon of a local day as an instant: a date-only value (Hardcover's `finished_at`) written to
    /// a source that wants a timestamp lands on the same day in any nearby zone.
    pub fn noon_of(self, d: NaiveDate) -> DateTime<Utc> {
        let naive = d.and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"));
        let local = match self {
            Zone::Fixed(o) => o.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)),
            Zone::Local => Local.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)),
        };
        local.unwrap_or_else(|| naive.and_utc())
    }
}

/// Progress in the edition's unit: `(progress_pages, progress_seconds)`, exactly one of them set.
pub fn units(measure: Measure, fraction: f64) -> (Option<i64>, Option<i64>) {
    let f = fraction.clamp(0.0, 1.0);
    let scaled = |total: i64| {
        let v = (f * total as f64).round() as i64;
        // Started but rounding to zero would read as "not started": one unit is the honest minimum.
        if f > 0.0 { v.clamp(1, total) } else { 0 }
    };
    match measure {
        Measure::Pages(total) => (Some(scaled(total)), None),
        Measure::Seconds(total) => (None, Some(scaled(total))),
    }
}

/// How far a read is, in the edition's unit (`None` when the read holds no number in that unit).
pub fn read_units(measure: Measure, read: &Read) -> Option<i64> {
    match measure {
        Measure::Pages(_) => read.progress_pages,
        Measure::Seconds(_) => read.progress_seconds,
    }
}

pub fn fraction_of(measure: Measure, read: &Read) -> Option<f64> {
    let (done, total) = match measure {
        Measure::Pages(t) => (read.progress_pages?, t),
        Measure::Seconds(t) => (read.progress_seconds?, t),
    };
    Some((done as f64 / total as f64).clamp(0.0, 1.0))
}

/// One unit of the edition as a fraction: smaller differences are rounding, not progress.
pub fn tolerance(measure: Option<Measure>) -> f64 {
    match measure {
        Some(Measure::Pages(t) | Measure::Seconds(t)) if t > 0 => (1.0 / t as f64).max(0.001),
        _ => 0.01,
    }
}

/// Why no edition can carry progress for a book on the shelf.
#[derive(Debug, Clone, PartialEq)]
pub enum NoEdition {
    /// The user's edition has no page count or length; it is theirs, so it is not switched.
    Unmeasurable { edition_id: i64 },
    /// No edition of the book in the source's format has one either.
    NoneMeasurable,
}

/// The edition progress is computed from for a book already on the shelf: the latest read's
/// edition, else the user's edition, else (when the user chose none) the book's edition in the
/// source's format. Never a different edition than the one the user has.
pub fn edition_on_shelf<'a>(
    ub: &'a UserBook,
    editions: &'a [Edition],
    format: Format,
) -> Result<&'a Edition, NoEdition> {
    let find = |id: i64| ub.edition.as_ref().filter(|e| e.id == id).or_else(|| editions.iter().find(|e| e.id == id));
    if let Some(e) = ub.latest_read.as_ref().and_then(|r| r.edition_id).and_then(find)
        && e.measure().is_some()
    {
        return Ok(e);
    }
    match &ub.edition {
        Some(e) if e.measure().is_some() => Ok(e),
        Some(e) => Err(NoEdition::Unmeasurable { edition_id: e.id }),
        None => best_in_format(editions, format).ok_or(NoEdition::NoneMeasurable),
    }
}

/// The edition to add a book with: the matched one when Hardcover can measure it, else the
/// book's measurable edition in the source's format, else the matched one anyway (progress is
/// then not sent; the plan says so).
pub fn edition_for_add(matched: Option<i64>, editions: &[Edition], format: Format) -> Option<&Edition> {
    let matched_edition = matched.and_then(|id| editions.iter().find(|e| e.id == id));
    matched_edition.filter(|e| e.measure().is_some()).or_else(|| best_in_format(editions, format)).or(matched_edition)
}

fn best_in_format(editions: &[Edition], format: Format) -> Option<&Edition> {
    let measurable = editions.iter().filter(|e| e.measure().is_some());
    measurable.clone().find(|e| format_matches(format, e.reading_format)).or_else(|| {
        // An audiobook must not be tracked in pages and vice versa; any other measurable edition
        // of the same kind will do.
        let audio = format == Format::Audio;
        measurable.clone().find(|e| e.is_audio() == audio)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn progress_is_scaled_to_the_editions_unit() {
        assert_eq!(units(Measure::Pages(300), 0.5), (Some(150), None), "text editions get pages");
        assert_eq!(units(Measure::Seconds(36_000), 0.25), (None, Some(9_000)), "audio editions get seconds");
        assert_eq!(units(Measure::Pages(300), 0.0001), (Some(1), None), "a started book never shows as 0");
        assert_eq!(units(Measure::Pages(300), 1.5), (Some(300), None), "progress is capped at the edition's end");
    }

    #[test]
    fn local_day_follows_the_zone() {
        let late_utc = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
        let berlin = Zone::Fixed(FixedOffset::east_opt(3600).unwrap());
        let new_york = Zone::Fixed(FixedOffset::west_opt(5 * 3600).unwrap());
        assert_eq!(
            berlin.date_of(late_utc),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            "23:30 UTC is the 2nd in Berlin"
        );
        assert_eq!(Zone::utc().date_of(late_utc), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(new_york.date_of(new_york.noon_of(d)), d, "noon of a local day stays on that day");
    }
}
