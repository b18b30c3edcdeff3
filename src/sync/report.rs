//! A sync run as people see it: the history's rows, a run's items, a dry run's plan. Made from
//! what the store keeps (`sync_runs`, whose summary is [`Summary`] as JSON).

use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};

use super::plan::Action;
use super::summary::{ItemResult, Summary};
use crate::store::runs::SyncRun;

/// One run in the history (and the payload of the window's `sync-finished` event).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub run_id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub dry_run: bool,
    pub added: u32,
    pub progress_updated: u32,
    pub finished: u32,
    pub rated: u32,
    pub written_back: u32,
    pub skipped: u32,
    pub unmatched: u32,
    pub errors: u32,
    pub hardcover_requests: u32,
    /// The run in one sentence: "3 books updated, 1 finished: Dune", "All 25 books up to date".
    pub sentence: String,
}

impl RunSummary {
    /// A stored run as the history shows it. A run still going (or cut off) has no summary yet:
    /// its counts show as zero, with no finish time.
    pub fn of(run: &SyncRun) -> Self {
        let summary = parsed_summary(run);
        Self {
            run_id: run.id,
            started_at: run.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            finished_at: run.finished_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            dry_run: run.dry_run,
            added: summary.added,
            progress_updated: summary.progress_updated,
            finished: summary.finished,
            rated: summary.rated,
            written_back: summary.written_back,
            skipped: summary.skipped,
            unmatched: summary.unmatched,
            errors: summary.errors,
            hardcover_requests: summary.hardcover_requests,
            sentence: if run.finished_at.is_some() { summary.sentence() } else { "Did not finish".to_owned() },
        }
    }

    /// What the tray calls "updated": every change the run made on either side.
    pub fn updated(&self) -> u32 {
        self.added + self.progress_updated + self.finished + self.rated + self.written_back
    }
}

/// One item of a run, as the history's detail lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RunItem {
    pub source: String,
    pub id: String,
    pub title: String,
    pub action: String,
    pub result: String,
    pub reason: Option<String>,
}

impl RunItem {
    pub fn all_of(run: &SyncRun) -> Vec<Self> {
        parsed_summary(run)
            .items
            .into_iter()
            .map(|i| RunItem {
                source: i.source,
                id: i.id,
                title: i.title,
                action: i.action.as_str().to_owned(),
                result: i.result.as_str().to_owned(),
                // What was done, in the book's units, then any note; a skip's or failure's why.
                reason: Some([i.detail, i.reason].into_iter().flatten().collect::<Vec<_>>().join("; "))
                    .filter(|r| !r.is_empty()),
            })
            .collect()
    }
}

/// One line of a dry run's plan (the Sync view's preview): a change the next sync would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PlanAction {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub action: String,
    /// What would be done, in the book's units ("mark Read, finished 2026-11-24").
    pub detail: String,
}

/// A dry run as the Sync view shows it: only what would change, the rest summed in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PlanPreview {
    /// The run in one sentence ("1 book to update", "Nothing to do: all 25 books up to date").
    pub sentence: String,
    pub changes: Vec<PlanAction>,
    /// Everything else, counted: "24 books already up to date, 1 below the Currently Reading
    /// threshold". Empty when there is nothing else.
    pub rest: String,
}

impl PlanPreview {
    pub fn of(summary: Summary) -> Self {
        let sentence = summary.sentence();
        let mut groups: Vec<(&'static str, &'static str, usize)> = vec![
            ("book already up to date", "books already up to date", 0),
            ("below the Currently Reading threshold", "below the Currently Reading threshold", 0),
            ("not matched to a Hardcover book", "not matched to a Hardcover book", 0),
            ("left for a later sync", "left for a later sync", 0),
            ("left as it is (see Needs attention)", "left as they are (see Needs attention)", 0),
            ("source failing", "sources failing", 0),
            ("excluded by you", "excluded by you", 0),
        ];
        let mut changes = Vec::new();
        // What a source itself had to say (a device not plugged in), as it said it.
        let mut notes: Vec<String> = Vec::new();
        for i in summary.items {
            if i.id.is_empty() && i.result == ItemResult::Skipped {
                notes.extend(i.reason);
                continue;
            }
            let group = match (i.result, i.skip.as_deref()) {
                (ItemResult::Planned | ItemResult::Ok, _) => {
                    let detail = [i.detail, i.reason].into_iter().flatten().collect::<Vec<_>>().join("; ");
                    changes.push(PlanAction {
                        source: i.source,
                        item_id: i.id,
                        title: i.title,
                        action: i.action.as_str().to_owned(),
                        detail,
                    });
                    continue;
                }
                (ItemResult::Failed, _) if i.id.is_empty() => 5,
                (ItemResult::Skipped, Some("unchanged" | "already_finished" | "not_on_hardcover")) => 0,
                (ItemResult::Skipped, Some("no_hardcover_progress")) => 0,
                (ItemResult::Skipped, Some("below_threshold")) => 1,
                (ItemResult::Skipped, Some("unmatched" | "unlinked")) => 2,
                (ItemResult::Skipped, Some("match_deferred")) | (ItemResult::Deferred, _) => 3,
                (ItemResult::Skipped, Some("excluded")) => 6,
                _ => 4,
            };
            groups[group].2 += 1;
        }
        let rest = groups
            .iter()
            .filter(|(.., n)| *n > 0)
            .map(|(one, many, n)| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect::<Vec<_>>()
            .join(", ");
        let rest = [rest].into_iter().chain(notes).filter(|r| !r.is_empty()).collect::<Vec<_>>().join("; ");
        Self { sentence, changes, rest }
    }
}

/// The titles a run marked Read on Hardcover (for the "finished" notification).
pub fn finished_titles(summary: &Summary) -> Vec<String> {
    summary
        .items
        .iter()
        .filter(|i| i.action == Action::Finish && i.result == ItemResult::Ok)
        .map(|i| i.title.clone())
        .collect()
}

fn parsed_summary(run: &SyncRun) -> Summary {
    match run.summary.as_deref().map(serde_json::from_str::<Summary>) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            // History must still list the run; the log says why its counts are missing.
            tracing::warn!(run_id = run.id, "the stored summary of this run cannot be read: {e}");
            Summary::default()
        }
        None => Summary::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::plan::{Effects, ItemPlan, Position, ReadRef, SkipReason, Step};
    use crate::sync::port::{ReadPatch, Status};

    fn plan(id: &str, steps: Vec<Step>, skip: Option<SkipReason>) -> ItemPlan {
        ItemPlan {
            source: "abs".into(),
            item_id: id.into(),
            title: format!("Book {id}"),
            book_id: Some(1),
            user_book_id: Some(2),
            action: if skip.is_some() { Action::Skip } else { Action::Progress },
            steps,
            skip,
            effects: Effects { progress: true, ..Effects::default() },
            notes: Vec::new(),
            record: None,
        }
    }

    fn seconds(s: i64) -> Vec<Step> {
        let patch = ReadPatch { progress_seconds: Some(s), ..ReadPatch::default() };
        vec![Step::SetStatus { status: Status::CurrentlyReading }, Step::UpdateRead { read: ReadRef::Latest, patch }]
    }

    #[test]
    fn a_preview_lists_only_what_would_change_and_sums_the_rest() {
        let mut s = Summary::new(true);
        s.record(&plan("1", seconds(16_128), None), ItemResult::Planned, None);
        for id in ["2", "3", "4"] {
            s.record(&plan(id, vec![], Some(SkipReason::Unchanged)), ItemResult::Skipped, None);
        }
        let low = SkipReason::BelowThreshold { fraction: 0.03, threshold: 0.05 };
        s.record(&plan("5", vec![], Some(low)), ItemResult::Skipped, None);
        let lower = SkipReason::WouldLowerProgress { current: Position::Pages(200), proposed: Position::Pages(120) };
        s.record(&plan("6", vec![], Some(lower)), ItemResult::Skipped, None);
        s.record_error("komga", "cannot reach komga".into());
        s.record_note("kobo", "kobo: the device is not plugged in".into());

        let p = PlanPreview::of(s);
        assert_eq!(p.changes.len(), 1, "only the item that would change is listed: {p:?}");
        assert_eq!(p.changes[0].detail, "mark Currently Reading, progress to 4:29", "audio positions read as h:mm");
        assert_eq!(
            p.rest,
            "3 books already up to date, 1 below the Currently Reading threshold, 1 left as it is (see Needs attention), 1 source failing; kobo: the device is not plugged in",
            "everything that would not change is counted in one line"
        );
    }

    #[test]
    fn a_preview_with_nothing_to_change_says_so() {
        let mut s = Summary::new(true);
        for id in ["1", "2"] {
            s.record(&plan(id, vec![], Some(SkipReason::Unchanged)), ItemResult::Skipped, None);
        }
        let p = PlanPreview::of(s);
        assert!(p.changes.is_empty(), "an up-to-date library has no change to list");
        assert_eq!(p.sentence, "Nothing to do: all 2 books up to date");
        assert_eq!(p.rest, "2 books already up to date");
    }

    #[test]
    fn positions_read_in_the_books_unit_never_in_raw_seconds() {
        let lower =
            SkipReason::WouldLowerProgress { current: Position::Seconds(16_128), proposed: Position::Seconds(13_642) };
        assert_eq!(lower.to_string(), "would lower progress from 4:29 to 3:47; not done (regression_guard is on)");
        let pages = SkipReason::WouldLowerProgress { current: Position::Pages(200), proposed: Position::Pages(120) };
        assert!(pages.to_string().contains("from page 200 to page 120"), "text positions read as pages: {pages}");
        let none =
            SkipReason::WouldLowerProgress { current: Position::Fraction(0.6), proposed: Position::Fraction(0.25) };
        assert!(none.to_string().contains("from 60% to 25%"), "without a page count, a percentage: {none}");
        assert_eq!(Position::Seconds(59).to_string(), "0:01", "under a minute rounds to the nearest minute");
        assert_eq!(Position::Seconds(36_000).to_string(), "10:00");

        let finish = vec![
            Step::SetStatus { status: Status::Read },
            Step::UpdateRead {
                read: ReadRef::Latest,
                patch: ReadPatch {
                    finished_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 24),
                    progress_pages: Some(300),
                    ..ReadPatch::default()
                },
            },
            Step::Rate { rating: 4.5 },
        ];
        assert_eq!(plan("f", finish, None).describe().as_deref(), Some("mark Read, finished 2026-11-24, rate 4.5"));
    }
}
