//! Builders shared by the engine's unit tests.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::port::{Edition, ReadingFormat};
use crate::sources::model::{Format, SourceItem};

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An ebook in progress, 40% read, no identifiers.
pub fn item(id: &str) -> SourceItem {
    SourceItem {
        source: "abs".into(),
        id: id.into(),
        title: "The Way of Kings".into(),
        subtitle: None,
        authors: vec!["Brandon Sanderson".into()],
        isbn13: None,
        isbn10: None,
        asin: None,
        format: Format::Ebook,
        fraction: 0.4,
        position: None,
        total: None,
        started_at: Some(at(2026, 3, 1, 10)),
        finished_at: None,
        is_finished: false,
        updated_at: Some(at(2026, 3, 5, 10)),
        rating: None,
    }
}

pub fn text_edition(id: i64, book_id: i64, pages: Option<i64>) -> Edition {
    Edition { id, book_id, pages, reading_format: Some(ReadingFormat::Ebook), ..Edition::default() }
}

pub fn audio_edition(id: i64, book_id: i64, seconds: Option<i64>) -> Edition {
    Edition { id, book_id, audio_seconds: seconds, reading_format: Some(ReadingFormat::Audio), ..Edition::default() }
}
