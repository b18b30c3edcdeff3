//! The result of one sync, as printed by `sync --json`, stored in `sync_runs.summary` and shown by
//! the tray. Counts only what actually happened (or, in a dry run, what would happen): an item
//! whose request failed is an error, never "updated".

use serde::{Deserialize, Serialize};

use super::plan::{Action, ItemPlan, SkipReason};

/// How an item's plan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    /// Every step was confirmed by Hardcover (or the source).
    Ok,
    /// Nothing to do (see reason).
    Skipped,
    /// Dry run: this is what would be done.
    Planned,
    /// Not sent: the daily request budget is low. Sent on a later sync.
    Deferred,
    Failed,
}

impl ItemResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemResult::Ok => "ok",
            ItemResult::Skipped => "skipped",
            ItemResult::Planned => "planned",
            ItemResult::Deferred => "deferred",
            ItemResult::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryItem {
    pub source: String,
    pub id: String,
    pub title: String,
    pub action: Action,
    pub result: ItemResult,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub dry_run: bool,
    pub added: u32,
    pub progress_updated: u32,
    pub finished: u32,
    pub rated: u32,
    pub written_back: u32,
    pub skipped: u32,
    pub unmatched: u32,
    pub deferred: u32,
    pub errors: u32,
    pub hardcover_requests: u32,
    pub items: Vec<SummaryItem>,
}

impl Summary {
    pub fn new(dry_run: bool) -> Self {
        Self { dry_run, ..Self::default() }
    }

    /// Count one item. `reason` overrides the plan's skip reason (a failure's error, a deferral).
    pub fn record(&mut self, plan: &ItemPlan, result: ItemResult, reason: Option<String>) {
        match result {
            ItemResult::Ok | ItemResult::Planned => {
                let e = plan.effects;
                self.added += u32::from(e.added);
                self.progress_updated += u32::from(e.progress || e.reread);
                self.finished += u32::from(e.finished);
                self.rated += u32::from(e.rated);
                self.written_back += u32::from(e.written_back);
            }
            ItemResult::Skipped => match plan.skip {
                Some(SkipReason::Unmatched) => self.unmatched += 1,
                Some(SkipReason::MatchDeferred) => self.deferred += 1,
                _ => self.skipped += 1,
            },
            ItemResult::Deferred => self.deferred += 1,
            ItemResult::Failed => self.errors += 1,
        }
        let reason = reason
            .or_else(|| plan.skip.as_ref().map(ToString::to_string))
            .or_else(|| (!plan.notes.is_empty()).then(|| plan.notes.join("; ")));
        self.items.push(SummaryItem {
            source: plan.source.clone(),
            id: plan.item_id.clone(),
            title: plan.title.clone(),
            action: plan.action,
            result,
            reason,
        });
    }

    /// A failure that concerns no single item (a source that could not be listed, Hardcover down).
    pub fn record_error(&mut self, source: &str, message: String) {
        self.errors += 1;
        self.items.push(SummaryItem {
            source: source.into(),
            id: String::new(),
            title: String::new(),
            action: Action::Skip,
            result: ItemResult::Failed,
            reason: Some(message),
        });
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the summary holds only plain data")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::plan::Effects;

    fn plan(action: Action, effects: Effects, skip: Option<SkipReason>) -> ItemPlan {
        ItemPlan {
            source: "abs".into(),
            item_id: "1".into(),
            title: "Dune".into(),
            book_id: Some(1),
            user_book_id: None,
            action,
            steps: Vec::new(),
            skip,
            effects,
            notes: Vec::new(),
            record: None,
        }
    }

    #[test]
    fn counts_what_happened_and_serializes_the_documented_keys() {
        let mut s = Summary::new(false);
        let add_finish = Effects { added: true, finished: true, rated: true, ..Effects::default() };
        s.record(&plan(Action::Add, add_finish, None), ItemResult::Ok, None);
        s.record(
            &plan(Action::Progress, Effects { progress: true, ..Effects::default() }, None),
            ItemResult::Failed,
            Some("Hardcover refused the change: x".into()),
        );
        s.record(&plan(Action::Skip, Effects::default(), Some(SkipReason::Unmatched)), ItemResult::Skipped, None);
        s.record(&plan(Action::Skip, Effects::default(), Some(SkipReason::Unchanged)), ItemResult::Skipped, None);
        assert_eq!((s.added, s.finished, s.rated), (1, 1, 1));
        assert_eq!(s.progress_updated, 0, "a failed update must not be counted as updated");
        assert_eq!((s.errors, s.unmatched, s.skipped), (1, 1, 1));
        let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        for key in [
            "added",
            "progress_updated",
            "finished",
            "rated",
            "written_back",
            "skipped",
            "unmatched",
            "errors",
            "hardcover_requests",
            "items",
        ] {
            assert!(v.get(key).is_some(), "`sync --json` must carry {key}");
        }
        let item = &v["items"][1];
        assert_eq!(item["result"], "failed");
        assert_eq!(item["reason"], "Hardcover refused the change: x", "a failure must say why");
        assert!(v["items"][2]["reason"].as_str().unwrap().starts_with("unmatched"), "a skip must say why");
        assert_eq!(item["source"], "abs");
        assert_eq!(item["id"], "1");
        assert_eq!(item["action"], "progress");
    }
}
