//! What a plan is made of: its inputs, the steps, the actions and skip reasons, and the views of
//! both sides the rules compare.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::SyncConfig;
use crate::sources::model::{SourceItem, WriteBack};
use crate::store::item_state::ItemState;
use crate::sync::matching::MatchOutcome;
use crate::sync::port::{Edition, JournalEntry, Measure, ReadPatch, Status, UserBook};
use crate::sync::progress::{Zone, edition_on_shelf, fraction_of, units};

/// Everything the plan of one item depends on.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub item: &'a SourceItem,
    pub matched: &'a MatchOutcome,
    /// What we last saw / pushed / wrote back for this item.
    pub state: Option<&'a ItemState>,
    /// Hardcover's state of the matched book was read this run. It is not read when neither
    /// side changed since the last sync: then `user_book` is unknown, not "off the shelf".
    pub looked_at: bool,
    /// The user's shelf entry for the matched book; `None` when the book is not on the shelf.
    pub user_book: Option<&'a UserBook>,
    /// Editions of the matched book (needed to add a book, or when the user's shelf entry has no
    /// edition). May be empty when the book is on the shelf with a measurable edition.
    pub editions: &'a [Edition],
}

#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    pub config: &'a SyncConfig,
    pub zone: Zone,
    pub now: DateTime<Utc>,
}

/// Which read a step updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadRef {
    /// A read the plan already knows (no status change before it).
    Id(i64),
    /// The latest read as it is AFTER the preceding status change: the one the server opened or
    /// finished by itself. Fetched at execution time; never a new one.
    Latest,
}

/// One change, in execution order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// `insert_user_book`. Status 2 / 3 make the server create the first read itself.
    AddBook { book_id: i64, edition_id: Option<i64>, status: Status, rating: Option<f64> },
    /// `update_user_book {status_id}`. The server opens (2) or finishes (3) a read itself.
    SetStatus { status: Status },
    /// `update_user_book_read` on an existing read. Patch fields left `None` keep the read's value.
    UpdateRead { read: ReadRef, patch: ReadPatch },
    /// A re-read: after the status change, update the read the server opened if it did (a read
    /// newer than `after_read` that is still open), otherwise insert exactly one.
    StartRead { after_read: Option<i64>, patch: ReadPatch },
    /// `update_user_book {rating}`.
    Rate { rating: f64 },
    /// Write Hardcover's state to the source.
    WriteBack { update: SourceUpdate },
    /// A highlight to the reading journal: a new entry, or (`journal_id`) an edit of the entry
    /// it made before.
    Quote { quote: Quote, journal_id: Option<i64> },
    /// Delete the entry of a highlight removed on the device (only when the user asked for it).
    Unquote { key: String, journal_id: i64 },
    /// `edition_owned`: the source has the book, so the user owns that edition.
    Own { edition_id: i64 },
}

/// One highlight as its journal entry, with what the book detail shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The highlight's stable key on the device.
    pub key: String,
    pub journal: JournalEntry,
    pub highlight: String,
    pub note: Option<String>,
    pub chapter: Option<String>,
    pub made_at: Option<DateTime<Utc>>,
}

impl Step {
    pub fn kind(&self) -> &'static str {
        match self {
            Step::AddBook { .. } => "add_book",
            Step::SetStatus { .. } => "set_status",
            Step::UpdateRead { .. } => "update_read",
            Step::StartRead { .. } => "start_read",
            Step::Rate { .. } => "rate",
            Step::WriteBack { .. } => "write_back",
            Step::Quote { journal_id: None, .. } => "journal_add",
            Step::Quote { journal_id: Some(_), .. } => "journal_update",
            Step::Unquote { .. } => "journal_delete",
            Step::Own { .. } => "mark_owned",
        }
    }

    /// Steps that go to the journal or the Owned list: they need no shelf entry, and stand on
    /// their own beside the reading steps.
    pub fn is_extra(&self) -> bool {
        matches!(self, Step::Quote { .. } | Step::Unquote { .. } | Step::Own { .. })
    }

    /// Hardcover requests the step costs at most (a `Latest` read or a re-read fetches the reads
    /// first). Used to defer whole items when the daily budget runs low.
    pub fn cost(&self) -> u32 {
        match self {
            Step::AddBook { .. } | Step::SetStatus { .. } | Step::Rate { .. } => 1,
            Step::Quote { .. } | Step::Unquote { .. } | Step::Own { .. } => 1,
            Step::UpdateRead { read: ReadRef::Id(_), .. } => 1,
            Step::UpdateRead { read: ReadRef::Latest, .. } | Step::StartRead { .. } => 2,
            Step::WriteBack { .. } => 0,
        }
    }

    /// The step in words for the plan's line, `None` when the plan's notes say it.
    fn describe(&self) -> Option<String> {
        let progress = |patch: &ReadPatch| {
            if let Some(day) = patch.finished_at {
                return Some(format!("finished {day}"));
            }
            match (patch.progress_pages, patch.progress_seconds) {
                (Some(p), _) => Some(Position::Pages(p)),
                (None, Some(s)) => Some(Position::Seconds(s)),
                (None, None) => None,
            }
            .map(|at| format!("progress to {at}"))
        };
        match self {
            Step::AddBook { status, .. } => Some(format!("add as {}", status.label())),
            Step::SetStatus { status } => Some(format!("mark {}", status.label())),
            Step::UpdateRead { patch, .. } => progress(patch),
            Step::StartRead { patch, .. } => Some(
                progress(patch).map_or_else(|| "start a new read".to_owned(), |p| format!("start a new read, {p}")),
            ),
            Step::Rate { rating } => Some(format!("rate {rating}")),
            Step::WriteBack { update: SourceUpdate::Progress { fraction, .. } } => {
                Some(format!("set the reading server to {}", Position::Fraction(*fraction)))
            }
            Step::WriteBack { update: SourceUpdate::Finished { .. } } => {
                Some("mark it finished on the reading server".to_owned())
            }
            Step::Own { .. } => Some("mark the edition owned".to_owned()),
            // Counted in the plan's notes by the journal plan ("2 highlights to add …").
            Step::Quote { .. } | Step::Unquote { .. } => None,
        }
    }
}

/// What is written back to a source (serializable twin of [`WriteBack`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceUpdate {
    Progress { fraction: f64, position: Option<f64> },
    Finished { finished_at: Option<DateTime<Utc>> },
}

impl From<&SourceUpdate> for WriteBack {
    fn from(u: &SourceUpdate) -> Self {
        match u {
            SourceUpdate::Progress { fraction, position } => {
                WriteBack::Progress { fraction: *fraction, position: *position }
            }
            SourceUpdate::Finished { finished_at } => WriteBack::Finished { finished_at: *finished_at },
        }
    }
}

/// The headline of an item's plan (history `action`, summary line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Add,
    Progress,
    Finish,
    Rate,
    Reread,
    WriteBack,
    /// Only highlights to the reading journal (or the Owned list) this time.
    Highlights,
    Own,
    Skip,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Progress => "progress",
            Action::Finish => "finish",
            Action::Rate => "rate",
            Action::Reread => "reread",
            Action::WriteBack => "write_back",
            Action::Highlights => "highlights",
            Action::Own => "own",
            Action::Skip => "skip",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SkipReason {
    Unchanged,
    BelowThreshold {
        fraction: f64,
        threshold: f64,
    },
    /// Positions in the book's unit (the edition's, or a percentage when it has none).
    WouldLowerProgress {
        current: Position,
        proposed: Position,
    },
    Unmatched,
    Unlinked,
    /// Not matched yet: the search budget of this run was used up.
    MatchDeferred,
    AlreadyFinished,
    Conflict {
        detail: String,
    },
    EditionUnmeasurable {
        edition_id: Option<i64>,
    },
    StatusLeftAlone {
        status: Status,
    },
    NotOnHardcover,
    NoHardcoverProgress,
    /// The user chose never to sync this item.
    Excluded,
}

impl SkipReason {
    /// The reason's stable name (its serialized `code`), kept with each item of a run so views
    /// can group skips without reading the sentence.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::Unchanged => "unchanged",
            SkipReason::BelowThreshold { .. } => "below_threshold",
            SkipReason::WouldLowerProgress { .. } => "would_lower_progress",
            SkipReason::Unmatched => "unmatched",
            SkipReason::Unlinked => "unlinked",
            SkipReason::MatchDeferred => "match_deferred",
            SkipReason::AlreadyFinished => "already_finished",
            SkipReason::Conflict { .. } => "conflict",
            SkipReason::EditionUnmeasurable { .. } => "edition_unmeasurable",
            SkipReason::StatusLeftAlone { .. } => "status_left_alone",
            SkipReason::NotOnHardcover => "not_on_hardcover",
            SkipReason::NoHardcoverProgress => "no_hardcover_progress",
            SkipReason::Excluded => "excluded",
        }
    }
}

/// A place in a book in the book's own unit, for the lines people read: "4:29" into an
/// audiobook, "page 120" of a text edition, a percentage when the edition has neither number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Position {
    Seconds(i64),
    Pages(i64),
    Fraction(f64),
}

impl Position {
    /// `n` units of an edition measured in `measure`.
    pub fn in_units(measure: Measure, n: i64) -> Self {
        match measure {
            Measure::Seconds(_) => Position::Seconds(n),
            Measure::Pages(_) => Position::Pages(n),
        }
    }

    /// `fraction` of the book, in the edition's unit when it has one.
    pub fn at(measure: Option<Measure>, fraction: f64) -> Self {
        match measure {
            Some(m) => {
                let (pages, seconds) = units(m, fraction);
                Position::in_units(m, pages.or(seconds).unwrap_or(0))
            }
            None => Position::Fraction(fraction),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Position::Seconds(s) => {
                let minutes = (s.max(0) + 30) / 60;
                write!(f, "{}:{:02}", minutes / 60, minutes % 60)
            }
            Position::Pages(p) => write!(f, "page {p}"),
            Position::Fraction(x) => write!(f, "{:.0}%", x * 100.0),
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Unchanged => write!(f, "unchanged"),
            SkipReason::BelowThreshold { fraction, threshold } => write!(
                f,
                "below threshold: {:.1}% read, Currently Reading starts at {:.1}%",
                fraction * 100.0,
                threshold * 100.0
            ),
            SkipReason::WouldLowerProgress { current, proposed } => {
                write!(f, "would lower progress from {current} to {proposed}; not done (regression_guard is on)")
            }
            SkipReason::Unmatched => {
                write!(f, "unmatched: no Hardcover book found with enough confidence; link it by hand")
            }
            SkipReason::Unlinked => write!(f, "unlinked by you; link it to a book to sync it"),
            SkipReason::MatchDeferred => write!(
                f,
                "not matched yet: this sync's Hardcover request budget for searching is used up; a later sync matches it"
            ),
            SkipReason::AlreadyFinished => write!(f, "already finished on Hardcover"),
            SkipReason::Conflict { detail } => write!(f, "conflict: {detail}"),
            SkipReason::EditionUnmeasurable { edition_id: Some(id) } => write!(
                f,
                "edition {id} has no page count or audio length on Hardcover, so progress would show 0%; pick another edition on Hardcover"
            ),
            SkipReason::EditionUnmeasurable { edition_id: None } => write!(
                f,
                "no edition of this book in this format has a page count or audio length on Hardcover; progress not sent"
            ),
            SkipReason::StatusLeftAlone { status } => {
                write!(f, "marked {} on Hardcover; left alone", status.label())
            }
            SkipReason::NotOnHardcover => write!(f, "not on your Hardcover shelf; nothing to write back"),
            SkipReason::NoHardcoverProgress => {
                write!(f, "Hardcover holds no progress for this book; nothing to write back")
            }
            SkipReason::Excluded => write!(f, "excluded by you: never synced until you include it again"),
        }
    }
}

/// What the executor stores in `item_state` once the steps succeeded (or right away for a skip).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub fingerprint: String,
    /// Hardcover's state (fraction, finished) after this sync, when known.
    pub hardcover: Option<(f64, bool)>,
    /// What was written back to the source, when something was.
    pub written_back: Option<(f64, bool)>,
}

/// Counts for the summary: one plan can add AND finish AND rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Effects {
    pub added: bool,
    pub progress: bool,
    pub finished: bool,
    pub rated: bool,
    pub reread: bool,
    pub written_back: bool,
    /// Highlights added to or updated in the reading journal.
    pub highlights: u32,
    pub owned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPlan {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub book_id: Option<i64>,
    pub user_book_id: Option<i64>,
    pub action: Action,
    pub steps: Vec<Step>,
    pub skip: Option<SkipReason>,
    pub effects: Effects,
    /// Things the user should know that did not stop the plan ("kept your Hardcover rating").
    pub notes: Vec<String>,
    /// `None`: do not touch item_state (e.g. unmatched: a later link must still sync).
    pub record: Option<Record>,
}

impl ItemPlan {
    pub fn new(input: &PlanInput<'_>) -> Self {
        Self {
            source: input.item.source.clone(),
            item_id: input.item.id.clone(),
            title: input.item.title.clone(),
            book_id: input.matched.book_id(),
            user_book_id: input.user_book.map(|u| u.id),
            action: Action::Skip,
            steps: Vec::new(),
            skip: None,
            effects: Effects::default(),
            notes: Vec::new(),
            record: None,
        }
    }

    /// An item the user excluded: not matched, not planned.
    pub fn excluded(item: &SourceItem) -> Self {
        Self {
            source: item.source.clone(),
            item_id: item.id.clone(),
            title: item.title.clone(),
            book_id: None,
            user_book_id: None,
            action: Action::Skip,
            steps: Vec::new(),
            skip: Some(SkipReason::Excluded),
            effects: Effects::default(),
            notes: Vec::new(),
            record: None,
        }
    }

    pub fn skipped(mut self, reason: SkipReason) -> Self {
        self.action = Action::Skip;
        self.steps.clear();
        self.effects = Effects::default();
        self.skip = Some(reason);
        // Remembering a skip is opt-in (the caller sets `record` after this).
        self.record = None;
        self
    }

    pub fn cost(&self) -> u32 {
        self.steps.iter().map(Step::cost).sum()
    }

    /// What the steps do, in words and in the book's units: "mark Currently Reading, progress to
    /// 4:29", "mark Read, finished 2026-11-24, rate 4". `None` for a plan with no steps.
    pub fn describe(&self) -> Option<String> {
        let parts: Vec<String> = self.steps.iter().filter_map(Step::describe).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// The source's state as a string: equal fingerprints mean nothing changed on the source. The
/// matched book is part of it, so linking an item to another book makes it "changed".
pub fn fingerprint(item: &SourceItem, book_id: Option<i64>) -> String {
    let ts = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp().to_string()).unwrap_or_default();
    format!(
        "b={};f={:.4};fin={};s={};e={};r={}",
        book_id.map(|b| b.to_string()).unwrap_or_default(),
        item.fraction,
        u8::from(item.is_finished),
        ts(item.started_at),
        ts(item.finished_at),
        item.rating.map(|r| r.to_string()).unwrap_or_default(),
    )
}

/// Whether a stored fingerprint recorded the source as finished.
pub fn fingerprint_says_finished(fp: &str) -> bool {
    fp.split(';').any(|part| part == "fin=1")
}

/// The source's view, in the user's days.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceView {
    pub fraction: f64,
    pub finished: bool,
    pub started_day: Option<NaiveDate>,
    /// The day the user finished: the source's finish time, else its last activity. Never "today".
    pub finished_day: Option<NaiveDate>,
}

impl SourceView {
    pub fn of(item: &SourceItem, zone: Zone) -> Self {
        let finished = item.is_finished || item.fraction >= 1.0;
        Self {
            fraction: if finished { 1.0 } else { item.fraction.clamp(0.0, 1.0) },
            finished,
            started_day: item.started_at.map(|t| zone.date_of(t)),
            finished_day: item.finished_at.or(item.updated_at).filter(|_| finished).map(|t| zone.date_of(t)),
        }
    }
}

/// Hardcover's view of a shelf entry: fraction (when measurable) and finished.
pub(crate) fn hardcover_view(input: &PlanInput<'_>, ub: &UserBook) -> (Option<f64>, bool) {
    let finished = ub.status == Status::Read && ub.latest_read.as_ref().is_none_or(|r| r.is_finished());
    if finished {
        return (Some(1.0), true);
    }
    let fraction = match (edition_on_shelf(ub, input.editions, input.item.format), &ub.latest_read) {
        (Ok(e), Some(r)) => e.measure().and_then(|m| fraction_of(m, r)),
        _ => None,
    };
    (fraction, false)
}
