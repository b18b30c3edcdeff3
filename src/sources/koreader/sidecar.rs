//! One KOReader sidecar (`metadata.<ext>.lua`): the fields the sync reads.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use md5::{Digest as _, Md5};

use super::lua::{self, LuaError, Table, Value};
use crate::sources::normalize;

/// `summary.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Reading,
    Complete,
    /// Shown as "On hold" in KOReader: Hardcover's Paused, not Did Not Finish.
    Abandoned,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub text: String,
    pub note: Option<String>,
    /// Local time on the device, as KOReader writes it.
    pub datetime: Option<NaiveDateTime>,
    pub datetime_updated: Option<NaiveDateTime>,
    pub chapter: Option<String>,
    pub pageno: Option<u32>,
}

impl Annotation {
    /// Stable across note edits: the book, when it was made, and what was highlighted.
    pub fn key(&self, book_id: &str) -> String {
        let mut md5 = Md5::new();
        md5.update(self.text.as_bytes());
        let hash: String = md5.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
        let when = self.datetime.map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default();
        format!("{book_id}:{when}:{hash}")
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sidecar {
    pub percent_finished: Option<f64>,
    pub status: Option<Status>,
    /// `summary.modified`: the day the status last changed.
    pub modified: Option<NaiveDate>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    /// `doc_props.identifiers`, one `scheme:value` per line.
    pub identifiers: Vec<(String, String)>,
    pub partial_md5: Option<String>,
    pub annotations: Vec<Annotation>,
    /// Pages in the rendering KOReader last used (`doc_pages`), for a highlight's position.
    pub pages: Option<u32>,
}

impl Sidecar {
    pub fn parse(text: &str) -> Result<Self, LuaError> {
        Ok(Self::from_table(&lua::parse(text)?))
    }

    pub fn from_table(t: &Table) -> Self {
        let summary = t.table("summary");
        let props = t.table("doc_props");
        let prop = |k: &str| props.and_then(|p| p.str(k)).and_then(|s| normalize::text(Some(s)));
        Self {
            percent_finished: t.number("percent_finished").filter(|f| f.is_finite()).map(|f| f.clamp(0.0, 1.0)),
            status: summary.and_then(|s| s.str("status")).and_then(|s| match s {
                "reading" => Some(Status::Reading),
                "complete" => Some(Status::Complete),
                "abandoned" => Some(Status::Abandoned),
                _ => None,
            }),
            modified: summary
                .and_then(|s| s.str("modified"))
                .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()),
            title: prop("title"),
            // KOReader joins several authors with newlines.
            authors: prop("authors")
                .map(|a| a.lines().filter_map(|l| normalize::text(Some(l))).collect())
                .unwrap_or_default(),
            language: prop("language"),
            identifiers: prop("identifiers")
                .map(|ids| {
                    ids.lines()
                        .filter_map(|l| l.split_once(':'))
                        .map(|(scheme, value)| (scheme.trim().to_ascii_lowercase(), value.trim().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            partial_md5: t.str("partial_md5_checksum").map(str::to_ascii_lowercase),
            annotations: t.table("annotations").map(annotations).unwrap_or_default(),
            pages: t.number("doc_pages").filter(|p| p.is_finite() && *p > 0.0).map(|p| p as u32),
        }
    }

    /// The first identifier that is a valid ISBN (`isbn:…`, or `urn:isbn:…` as EPUBs write it).
    pub fn isbn(&self) -> crate::identifiers::Isbns {
        self.identifiers
            .iter()
            .filter(|(scheme, value)| scheme.contains("isbn") || value.to_ascii_lowercase().starts_with("isbn"))
            .map(|(_, value)| crate::identifiers::isbns(value.trim_start_matches("isbn:")))
            .find(|i| i.isbn13.is_some())
            .unwrap_or_default()
    }

    /// The finish day, only when the book is complete (`modified` changes on every status change).
    pub fn finished_at(&self) -> Option<DateTime<Utc>> {
        (self.status == Some(Status::Complete)).then_some(self.modified).flatten().map(local_noon)
    }
}

fn annotations(t: &Table) -> Vec<Annotation> {
    t.array()
        .into_iter()
        .filter_map(|v| match v {
            Value::Table(a) => Some(a),
            _ => None,
        })
        // No `drawer`: a page bookmark, not a highlight.
        .filter(|a| a.get("drawer").is_some())
        .filter_map(|a| {
            let text = normalize::text(a.str("text"))?;
            Some(Annotation {
                text,
                note: normalize::text(a.str("note")),
                datetime: a.str("datetime").and_then(local_time),
                datetime_updated: a.str("datetime_updated").and_then(local_time),
                chapter: normalize::text(a.str("chapter")),
                pageno: a.number("pageno").filter(|p| p.is_finite() && *p >= 1.0).map(|p| p as u32),
            })
        })
        .collect()
}

fn local_time(raw: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

/// A device-local time as an instant, read in this machine's zone (the device's is not recorded;
/// the e-reader and the computer it is plugged into almost always share one).
pub fn from_local(t: NaiveDateTime) -> Option<DateTime<Utc>> {
    Local.from_local_datetime(&t).earliest().map(|t| t.with_timezone(&Utc))
}

/// Noon of a local day: the day survives the trip through UTC in any nearby zone.
fn local_noon(d: NaiveDate) -> DateTime<Utc> {
    crate::sync::progress::Zone::Local.noon_of(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abandoned_is_paused_and_only_complete_has_a_finish_day() {
        let s = Sidecar::parse(r#"return { ["summary"] = { ["status"] = "abandoned", ["modified"] = "2026-02-01" } }"#)
            .unwrap();
        assert_eq!(s.status, Some(Status::Abandoned));
        assert_eq!(s.finished_at(), None, "an on-hold book's modified day is not a finish day");
    }

    #[test]
    fn page_bookmarks_are_not_highlights() {
        let s = Sidecar::parse(
            r#"return { ["annotations"] = {
                [1] = { ["text"] = "Page 4", ["datetime"] = "2026-01-01 10:00:00", ["page"] = 4 },
                [2] = { ["text"] = "kept", ["drawer"] = "lighten", ["datetime"] = "2026-01-01 10:01:00" },
            } }"#,
        )
        .unwrap();
        assert_eq!(s.annotations.len(), 1, "an annotation without a drawer is a bookmark and must be skipped");
        assert_eq!(s.annotations[0].text, "kept");
    }
}
