//! Asking every source at once, and the `progress --json` view of the answers.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::model::{ProgressSource, SourceItem};

/// One source that could not be listed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFailure {
    pub source: String,
    pub message: String,
}

/// What every source said: the items of those that answered, an error for each that did not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressReport {
    pub items: Vec<SourceItem>,
    pub errors: Vec<SourceFailure>,
}

/// List every source concurrently. One source failing (down, wrong key, garbage) never stops the
/// others: its error lands in `errors` and the rest report as usual. Items keep the sources' order.
pub async fn collect(sources: &[Box<dyn ProgressSource>]) -> ProgressReport {
    let results = futures::future::join_all(sources.iter().map(|s| async move { (s.name(), s.list().await) })).await;
    let mut report = ProgressReport::default();
    for (name, result) in results {
        match result {
            Ok(items) => report.items.extend(items),
            Err(e) => {
                tracing::warn!(source = name, "listing progress failed: {e}");
                report.errors.push(SourceFailure { source: name.to_owned(), message: e.to_string() });
            }
        }
    }
    report
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true)))
}

impl ProgressReport {
    /// The CLI's `progress --json`: `{items: [...], errors: [...]}` with stable field names.
    pub fn to_json(&self) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|i| {
                json!({
                    "source": i.source,
                    "id": i.id,
                    "title": i.title,
                    "authors": i.authors,
                    "isbn13": i.isbn13,
                    "isbn10": i.isbn10,
                    "asin": i.asin,
                    "format": i.format.as_str(),
                    "fraction": i.fraction,
                    "position": i.position,
                    "total": i.total,
                    "unit": i.unit().as_str(),
                    "finished": i.is_finished,
                    "started_at": time(i.started_at),
                    "finished_at": time(i.finished_at),
                    "updated_at": time(i.updated_at),
                })
            })
            .collect();
        let errors: Vec<Value> =
            self.errors.iter().map(|e| json!({"source": e.source, "message": e.message})).collect();
        json!({ "items": items, "errors": errors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::model::Format;
    use chrono::TimeZone;

    #[test]
    fn json_view_has_exactly_the_documented_fields() {
        let item = SourceItem {
            source: "abs".into(),
            id: "x".into(),
            title: "T".into(),
            subtitle: None,
            authors: vec!["A".into()],
            isbn13: Some("9780306406157".into()),
            isbn10: None,
            asin: None,
            format: Format::Audio,
            fraction: 0.4,
            position: Some(240.0),
            total: Some(600.0),
            started_at: Utc.timestamp_opt(1_700_000_000, 0).single(),
            finished_at: None,
            is_finished: false,
            updated_at: None,
            rating: None,
        };
        let report = ProgressReport {
            items: vec![item],
            errors: vec![SourceFailure { source: "k".into(), message: "down".into() }],
        };
        let v = report.to_json();
        let mut keys: Vec<&str> = v["items"][0].as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "asin",
                "authors",
                "finished",
                "finished_at",
                "format",
                "fraction",
                "id",
                "isbn10",
                "isbn13",
                "position",
                "source",
                "started_at",
                "title",
                "total",
                "unit",
                "updated_at"
            ],
            "the JSON view's item fields are a stable interface"
        );
        assert_eq!(v["items"][0]["unit"], "seconds", "audio counts seconds");
        assert_eq!(v["items"][0]["started_at"], "2023-11-14T22:13:20Z", "times are RFC 3339 UTC");
        assert_eq!(v["items"][0]["finished_at"], Value::Null);
        assert_eq!(v["errors"][0], json!({"source": "k", "message": "down"}));
    }
}
