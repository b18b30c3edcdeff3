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
                reason: i.reason,
            })
            .collect()
    }
}

/// One line of a dry run's plan (the Sync view's preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PlanAction {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub action: String,
    pub detail: String,
}

impl PlanAction {
    pub fn all_of(summary: Summary) -> Vec<Self> {
        summary
            .items
            .into_iter()
            .map(|i| PlanAction {
                detail: i.reason.unwrap_or_else(|| i.result.as_str().to_owned()),
                source: i.source,
                item_id: i.id,
                title: i.title,
                action: i.action.as_str().to_owned(),
            })
            .collect()
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
