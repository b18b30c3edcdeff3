//! Rules for bringing Hardcover up to date with a source. Each rule is a bug a peer shipped; the
//! tests in `rules_tests.rs` are named after them.
//!
//! - Progress in the edition's unit (seconds for audio, pages for text), never 0%.
//! - One read at a time: after a status change, update THE read the server made; insert a read
//!   only for a re-read; finish by setting status Read first and then dating the read the server
//!   finished, so no second "finished today" read appears.
//! - Never lower progress (unless `regression_guard` is off); never re-finish a finished book.
//! - Rate on finish, in halves, never over the user's own Hardcover rating unless configured.

use chrono::NaiveDate;

use super::types::{Action, ItemPlan, PlanContext, PlanInput, Position, ReadRef, Record, SkipReason, SourceView, Step};
use crate::config::SyncConfig;
use crate::sources::model::SourceItem;
use crate::sync::port::{Edition, Measure, Read, ReadPatch, Status, UserBook};
use crate::sync::progress::{NoEdition, edition_for_add, edition_on_shelf, read_units, units};

pub(super) fn plan(
    out: ItemPlan,
    input: &PlanInput<'_>,
    ctx: &PlanContext<'_>,
    src: &SourceView,
    fp: String,
) -> ItemPlan {
    let p = Push { out, input, cfg: ctx.config, src: *src, fp };
    match input.user_book {
        None => p.add(),
        Some(ub) => match ub.status {
            Status::DidNotFinish | Status::Ignored => {
                p.skip_recorded(SkipReason::StatusLeftAlone { status: ub.status })
            }
            Status::WantToRead => p.on_want(ub),
            Status::CurrentlyReading | Status::Paused => p.on_reading(ub),
            Status::Read => p.on_read(ub),
        },
    }
}

struct Push<'a> {
    out: ItemPlan,
    input: &'a PlanInput<'a>,
    cfg: &'a SyncConfig,
    src: SourceView,
    fp: String,
}

impl Push<'_> {
    fn item(&self) -> &SourceItem {
        self.input.item
    }

    fn book_id(&self) -> i64 {
        self.out.book_id.expect("push is only planned for matched items")
    }

    fn done(mut self, action: Action, steps: Vec<Step>) -> ItemPlan {
        self.out.action = action;
        self.out.steps = steps;
        self.out.record = Some(Record {
            fingerprint: self.fp,
            hardcover: Some((self.src.fraction, self.src.finished)),
            written_back: self.input.state.and_then(|s| s.written_back).map(|m| (m.fraction, m.finished)),
        });
        self.out
    }

    /// A skip that holds until the source changes: remembered, so the next sync does not redo it.
    fn skip_recorded(self, reason: SkipReason) -> ItemPlan {
        let hardcover = self.input.user_book.map(|ub| super::types::hardcover_view(self.input, ub));
        let record = Record {
            fingerprint: self.fp.clone(),
            hardcover: hardcover.and_then(|(f, fin)| f.map(|f| (f, fin))),
            written_back: self.input.state.and_then(|s| s.written_back).map(|m| (m.fraction, m.finished)),
        };
        let mut out = self.out.skipped(reason);
        out.record = Some(record);
        out
    }

    fn started_enough(&self) -> bool {
        self.src.fraction > 0.0 && self.src.fraction >= self.cfg.currently_reading_threshold
    }

    fn below_threshold(self) -> ItemPlan {
        let reason =
            SkipReason::BelowThreshold { fraction: self.src.fraction, threshold: self.cfg.currently_reading_threshold };
        self.skip_recorded(reason)
    }

    fn progress_patch(&mut self, edition: Option<&Edition>, started_at: Option<NaiveDate>) -> ReadPatch {
        let (progress_pages, progress_seconds) = match edition.and_then(Edition::measure) {
            Some(m) => {
                self.out.effects.progress = true;
                units(m, self.src.fraction)
            }
            None => {
                self.out.notes.push(no_measure_note(edition));
                (None, None)
            }
        };
        ReadPatch { edition_id: edition.map(|e| e.id), started_at, finished_at: None, progress_pages, progress_seconds }
    }

    /// The read's final state: 100% in the edition's unit, dated the day the SOURCE says the user
    /// finished (in their zone), never the day the sync ran.
    fn finish_patch(&mut self, edition: Option<&Edition>, started_at: Option<NaiveDate>) -> ReadPatch {
        let (progress_pages, progress_seconds) =
            edition.and_then(Edition::measure).map(|m| units(m, 1.0)).unwrap_or_default();
        if self.src.finished_day.is_none() {
            self.out.notes.push("the source has no finish date; Hardcover's own date was kept".into());
        }
        self.out.effects.finished = true;
        ReadPatch {
            edition_id: edition.map(|e| e.id),
            started_at,
            finished_at: self.src.finished_day,
            progress_pages,
            progress_seconds,
        }
    }

    /// The rating to send with a finish, if any: halves, and the user's own Hardcover rating wins
    /// unless `overwrite_ratings`.
    fn rating(&mut self, on_hardcover: Option<f64>) -> Option<f64> {
        if !self.cfg.sync_ratings {
            return None;
        }
        let r = self.item().rating.filter(|r| *r > 0.0).map(|r| ((r * 2.0).round() / 2.0).clamp(0.5, 5.0))?;
        match on_hardcover {
            Some(h) if (h - r).abs() < 0.01 => None,
            Some(h) if !self.cfg.overwrite_ratings => {
                self.out
                    .notes
                    .push(format!("kept your Hardcover rating {h}; the source says {r} (overwrite_ratings is off)"));
                None
            }
            _ => {
                self.out.effects.rated = true;
                Some(r)
            }
        }
    }

    /// Not on the shelf: add it with the status its progress earns. Status 2 / 3 make the server
    /// create the first read; we date THAT read instead of inserting one.
    fn add(mut self) -> ItemPlan {
        let matched_edition = match self.input.matched {
            crate::sync::matching::MatchOutcome::Matched { edition_id, .. } => *edition_id,
            _ => None,
        };
        let edition = edition_for_add(matched_edition, self.input.editions, self.item().format).cloned();
        let book_id = self.book_id();
        self.out.effects.added = true;
        let edition_id = edition.as_ref().map(|e| e.id);
        if self.src.finished {
            let rating = self.rating(None);
            let patch = self.finish_patch(edition.as_ref(), self.src.started_day);
            let steps = vec![
                Step::AddBook { book_id, edition_id, status: Status::Read, rating },
                Step::UpdateRead { read: ReadRef::Latest, patch },
            ];
            self.done(Action::Add, steps)
        } else if self.started_enough() {
            let patch = self.progress_patch(edition.as_ref(), self.src.started_day);
            let steps = vec![
                Step::AddBook { book_id, edition_id, status: Status::CurrentlyReading, rating: None },
                Step::UpdateRead { read: ReadRef::Latest, patch },
            ];
            self.done(Action::Add, steps)
        } else {
            let steps = vec![Step::AddBook { book_id, edition_id, status: Status::WantToRead, rating: None }];
            self.done(Action::Add, steps)
        }
    }

    fn on_want(mut self, ub: &UserBook) -> ItemPlan {
        if self.src.finished {
            return self.finish(ub);
        }
        if !self.started_enough() {
            return self.below_threshold();
        }
        let edition = edition_on_shelf(ub, self.input.editions, self.item().format).ok().cloned();
        let patch = self.progress_patch(edition.as_ref(), self.src.started_day);
        let steps = vec![
            Step::SetStatus { status: Status::CurrentlyReading },
            Step::UpdateRead { read: ReadRef::Latest, patch },
        ];
        self.done(Action::Progress, steps)
    }

    /// Status Read first: the server finishes the open read (or makes one) dated today; then that
    /// read, fetched again, gets the source's date. The reverse order leaves two finished reads.
    fn finish(mut self, ub: &UserBook) -> ItemPlan {
        let edition = edition_on_shelf(ub, self.input.editions, self.item().format).ok().cloned();
        let open = ub.latest_read.as_ref().filter(|r| !r.is_finished());
        if let Some(conflict) = self.finish_before_start(open) {
            return self.skip_recorded(conflict);
        }
        // The open read's own start date is the user's; only fill one in when it has none.
        let started = match open {
            Some(r) if r.started_at.is_some() => None,
            _ => self.src.started_day,
        };
        let rating = self.rating(ub.rating);
        let patch = self.finish_patch(edition.as_ref(), started);
        let mut steps =
            vec![Step::SetStatus { status: Status::Read }, Step::UpdateRead { read: ReadRef::Latest, patch }];
        if let Some(rating) = rating {
            steps.push(Step::Rate { rating });
        }
        self.done(Action::Finish, steps)
    }

    fn on_reading(mut self, ub: &UserBook) -> ItemPlan {
        if self.src.finished {
            return self.finish(ub);
        }
        let edition = match edition_on_shelf(ub, self.input.editions, self.item().format) {
            Ok(e) => e.clone(),
            Err(NoEdition::Unmeasurable { edition_id }) => {
                return self.out.skipped(SkipReason::EditionUnmeasurable { edition_id: Some(edition_id) });
            }
            Err(NoEdition::NoneMeasurable) => {
                return self.out.skipped(SkipReason::EditionUnmeasurable { edition_id: None });
            }
        };
        let measure = edition.measure().expect("edition_on_shelf returns measurable editions");
        match ub.latest_read.as_ref().filter(|r| !r.is_finished()) {
            Some(open) => self.update_open(open, &edition, measure),
            None => {
                // Currently Reading without an open read: one read is missing, so one is made
                // (after checking the server did not just make it).
                let patch = self.progress_patch(Some(&edition), self.src.started_day);
                let after_read = ub.latest_read.as_ref().map(|r| r.id);
                self.done(Action::Progress, vec![Step::StartRead { after_read, patch }])
            }
        }
    }

    fn update_open(mut self, open: &Read, edition: &Edition, measure: Measure) -> ItemPlan {
        let (pages, seconds) = units(measure, self.src.fraction);
        let proposed = pages.or(seconds).unwrap_or(0);
        match read_units(measure, open) {
            Some(current) if current == proposed => return self.skip_recorded(SkipReason::Unchanged),
            Some(current) if current > proposed && self.cfg.regression_guard => {
                return self.skip_recorded(SkipReason::WouldLowerProgress {
                    current: Position::in_units(measure, current),
                    proposed: Position::in_units(measure, proposed),
                });
            }
            _ => {}
        }
        self.out.effects.progress = true;
        // The whole read, so an update cannot wipe its start date or switch its edition.
        let patch = ReadPatch {
            edition_id: open.edition_id.or(Some(edition.id)),
            started_at: open.started_at.or(self.src.started_day),
            finished_at: None,
            progress_pages: pages,
            progress_seconds: seconds,
        };
        self.done(Action::Progress, vec![Step::UpdateRead { read: ReadRef::Id(open.id), patch }])
    }

    fn on_read(mut self, ub: &UserBook) -> ItemPlan {
        let latest = ub.latest_read.as_ref();
        if let Some(open) = latest.filter(|r| !r.is_finished()) {
            // Read, yet an open read: date that read when the source finished, without touching the
            // status (no status change, so the server makes no read of its own).
            if !self.src.finished {
                return self.skip_recorded(SkipReason::AlreadyFinished);
            }
            if let Some(conflict) = self.finish_before_start(Some(open)) {
                return self.skip_recorded(conflict);
            }
            let edition = edition_on_shelf(ub, self.input.editions, self.item().format).ok().cloned();
            let started = if open.started_at.is_some() { open.started_at } else { self.src.started_day };
            let mut patch = self.finish_patch(edition.as_ref(), started);
            patch.edition_id = open.edition_id.or(patch.edition_id);
            return self.done(Action::Finish, vec![Step::UpdateRead { read: ReadRef::Id(open.id), patch }]);
        }
        if self.src.finished {
            // Never re-finish a finished book; a rating added later is still welcome.
            return match self.rating(ub.rating) {
                Some(rating) => self.done(Action::Rate, vec![Step::Rate { rating }]),
                None => self.skip_recorded(SkipReason::AlreadyFinished),
            };
        }
        if !self.restarted(latest) {
            let detail = match latest.and_then(|r| r.finished_at) {
                Some(d) => format!(
                    "finished on Hardcover on {d}, but the source shows {:.0}% from before that; left as finished",
                    self.src.fraction * 100.0
                ),
                None => format!(
                    "finished on Hardcover, but the source shows {:.0}%; left as finished",
                    self.src.fraction * 100.0
                ),
            };
            return self.skip_recorded(SkipReason::Conflict { detail });
        }
        if !self.started_enough() {
            return self.below_threshold();
        }
        let edition = edition_on_shelf(ub, self.input.editions, self.item().format).ok().cloned();
        let patch = self.progress_patch(edition.as_ref(), self.src.started_day);
        self.out.effects.reread = true;
        let steps = vec![
            Step::SetStatus { status: Status::CurrentlyReading },
            Step::StartRead { after_read: latest.map(|r| r.id), patch },
        ];
        self.done(Action::Reread, steps)
    }

    /// A finish the source dates before the open read on Hardcover began belongs to an earlier
    /// read, not this one: dating this read finished before its own start is refused by Hardcover,
    /// and moving its start would rewrite the user's history. Reported, and left for the user.
    fn finish_before_start(&self, open: Option<&Read>) -> Option<SkipReason> {
        let (finished, started) = (self.src.finished_day?, open?.started_at?);
        (finished < started).then(|| SkipReason::Conflict {
            detail: format!(
                "the source finished it on {finished}, before the read in progress on Hardcover began ({started}); left as it is"
            ),
        })
    }

    /// The user started the book again: the source's start is after Hardcover's finish, or the
    /// source itself went from finished (when we last saw it) back to in progress.
    fn restarted(&self, latest: Option<&Read>) -> bool {
        let after_finish = match (self.src.started_day, latest.and_then(|r| r.finished_at)) {
            (Some(s), Some(f)) => s > f,
            _ => false,
        };
        let was_finished = self.input.state.is_some_and(|s| super::types::fingerprint_says_finished(&s.fingerprint));
        after_finish || (was_finished && !self.src.finished)
    }
}

fn no_measure_note(edition: Option<&Edition>) -> String {
    match edition {
        Some(e) => format!(
            "edition {} has no page count or audio length on Hardcover; progress not sent (it would show 0%)",
            e.id
        ),
        None => {
            "no edition with a page count or audio length on Hardcover; progress not sent (it would show 0%)".into()
        }
    }
}
