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
    /// The skip reason's code (`unchanged`, `below_threshold`…), so views group skips without
    /// parsing `reason`. Absent from runs stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<String>,
    /// What the item's steps do, in the book's units ("mark Read, finished 2026-11-24").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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
    /// Highlights added to or updated in the reading journal (absent from runs stored before).
    #[serde(default)]
    pub highlights: u32,
    /// Editions marked owned.
    #[serde(default)]
    pub owned: u32,
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
                self.highlights += e.highlights;
                self.owned += u32::from(e.owned);
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
            skip: plan.skip.as_ref().map(|r| r.code().to_owned()),
            detail: plan.describe(),
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
            skip: None,
            detail: None,
        });
    }

    /// Something about a whole source that is not a failure (a device not plugged in, one waiting
    /// for the user to confirm its first sync).
    pub fn record_note(&mut self, source: &str, message: String) {
        self.items.push(SummaryItem {
            source: source.into(),
            id: String::new(),
            title: String::new(),
            action: Action::Skip,
            result: ItemResult::Skipped,
            reason: Some(message),
            skip: None,
            detail: None,
        });
    }

    /// Why `source` could not be read in this run, if it could not (a failure of the source
    /// itself, not of one of its items).
    pub fn source_failure(&self, source: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|i| i.source == source && i.id.is_empty() && i.result == ItemResult::Failed)
            .map(|i| i.reason.as_deref().unwrap_or("it could not be read"))
    }

    /// The run in one sentence for people: "3 books updated, 1 finished: Dune", "All 25 books up
    /// to date". Each book is counted once, under what it mainly had done (a book added and
    /// finished is "finished"), so the numbers add up, unlike the effect counts above.
    pub fn sentence(&self) -> String {
        let done = |i: &&SummaryItem| {
            !i.id.is_empty() && i.result == if self.dry_run { ItemResult::Planned } else { ItemResult::Ok }
        };
        let count = |actions: &[Action]| self.items.iter().filter(done).filter(|i| actions.contains(&i.action)).count();
        let finished: Vec<&str> =
            self.items.iter().filter(done).filter(|i| i.action == Action::Finish).map(|i| i.title.as_str()).collect();
        let (verb_updated, verb_finished, verb_added, verb_rated, verb_written) = if self.dry_run {
            ("to update", "to finish", "to add", "to rate", "to write back to your servers")
        } else {
            ("updated", "finished", "added", "rated", "written back to your servers")
        };
        let mut parts: Vec<String> = Vec::new();
        for (n, verb) in [
            (count(&[Action::Progress, Action::Reread]), verb_updated),
            (finished.len(), verb_finished),
            (count(&[Action::Add]), verb_added),
            (count(&[Action::Rate]), verb_rated),
            (count(&[Action::WriteBack]), verb_written),
        ] {
            if n == 0 {
                continue;
            }
            let noun = if !parts.is_empty() {
                ""
            } else if n == 1 {
                " book"
            } else {
                " books"
            };
            let mut part = format!("{n}{noun} {verb}");
            if verb == verb_finished {
                part.push_str(": ");
                part.push_str(&titles(&finished));
            }
            parts.push(part);
        }
        if self.highlights > 0 {
            let n = self.highlights;
            let noun = if n == 1 { "highlight" } else { "highlights" };
            let verb = if self.dry_run { "to send to your reading journal" } else { "sent to your reading journal" };
            parts.push(format!("{n} {noun} {verb}"));
        }
        if self.owned > 0 {
            let verb = if self.dry_run { "to mark owned" } else { "marked owned" };
            parts.push(format!("{} {verb}", self.owned));
        }
        let books = self.items.iter().filter(|i| !i.id.is_empty()).count();
        let failing_sources = self.items.iter().filter(|i| i.id.is_empty() && i.result == ItemResult::Failed).count();
        let mut sentence = match (parts.is_empty(), books, failing_sources) {
            (false, ..) => parts.join(", "),
            (true, 0, 0) => "No books in progress on your reading servers".to_owned(),
            (true, 0, _) => "Nothing was synced".to_owned(),
            (true, 1, _) if self.dry_run => "Nothing to do: 1 book up to date".to_owned(),
            (true, n, _) if self.dry_run => format!("Nothing to do: all {n} books up to date"),
            (true, 1, _) => "1 book up to date".to_owned(),
            (true, n, _) => format!("All {n} books up to date"),
        };
        let item_failures = self.items.iter().filter(|i| !i.id.is_empty() && i.result == ItemResult::Failed).count();
        let problems: Vec<String> = [
            (item_failures, "failed", "failed"),
            (self.unmatched as usize, "not matched to a Hardcover book", "not matched to a Hardcover book"),
            (self.deferred as usize, "left for a later sync", "left for a later sync"),
            (failing_sources, "source failing", "sources failing"),
        ]
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect();
        if !problems.is_empty() {
            sentence.push_str("; ");
            sentence.push_str(&problems.join(", "));
        }
        sentence
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the summary holds only plain data")
    }
}

/// "Dune, Emma and 3 more": a few titles, so a long run still fits a line.
fn titles(all: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut out = all.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if all.len() > SHOWN {
        out.push_str(&format!(" and {} more", all.len() - SHOWN));
    }
    out
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

    fn titled(action: Action, title: &str) -> ItemPlan {
        let mut p = plan(action, Effects::default(), (action == Action::Skip).then_some(SkipReason::Unchanged));
        p.item_id = title.to_lowercase();
        p.title = title.into();
        p
    }

    #[test]
    fn the_sentence_counts_each_book_once_and_names_the_finished_ones() {
        let mut s = Summary::new(false);
        for t in ["A", "B", "C"] {
            s.record(&titled(Action::Progress, t), ItemResult::Ok, None);
        }
        s.record(&titled(Action::Finish, "Dune"), ItemResult::Ok, None);
        s.record(&titled(Action::Skip, "Emma"), ItemResult::Skipped, None);
        assert_eq!(s.sentence(), "3 books updated, 1 finished: Dune");

        let mut s = Summary::new(false);
        for t in ["A", "B", "C", "D", "E"] {
            s.record(&titled(Action::Finish, t), ItemResult::Ok, None);
        }
        assert_eq!(s.sentence(), "5 books finished: A, B, C and 2 more", "a long run still fits a line");
    }

    #[test]
    fn a_run_with_nothing_to_do_says_all_is_up_to_date_and_problems_are_named() {
        let mut s = Summary::new(false);
        for t in ["A", "B", "C"] {
            s.record(&titled(Action::Skip, t), ItemResult::Skipped, None);
        }
        assert_eq!(s.sentence(), "All 3 books up to date", "an up-to-date library must not read like a warning");
        s.record_error("komga", "cannot reach komga".into());
        assert_eq!(s.sentence(), "All 3 books up to date; 1 source failing");
        assert_eq!(s.source_failure("komga"), Some("cannot reach komga"));
        assert_eq!(s.source_failure("abs"), None, "only the source that failed is failing");

        let mut dry = Summary::new(true);
        dry.record(&titled(Action::Skip, "A"), ItemResult::Skipped, None);
        assert_eq!(dry.sentence(), "Nothing to do: 1 book up to date");
        dry.record(&titled(Action::Progress, "B"), ItemResult::Planned, None);
        assert_eq!(dry.sentence(), "1 book to update", "a preview says what would be done");
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
