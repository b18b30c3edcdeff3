//! One test per rule of the plan, each named after the rule, each a bug a peer shipped.

use chrono::{DateTime, FixedOffset, Utc};

use super::matching::MatchOutcome;
use super::plan::{
    Action, ItemPlan, PlanContext, PlanInput, Position, ReadRef, SkipReason, SourceUpdate, Step, fingerprint, plan,
    plan_item,
};
use super::port::{Edition, Read, ReadPatch, Status, UserBook};
use super::progress::Zone;
use super::testing::{at, audio_edition, day, item, text_edition};
use crate::config::{Direction, SyncConfig};
use crate::sources::model::{Format, SourceItem};
use crate::store::item_state::{ItemState, Mark};
use crate::store::matches::MatchMethod;

const BOOK: i64 = 1;

struct Case {
    item: SourceItem,
    matched: MatchOutcome,
    state: Option<ItemState>,
    ub: Option<UserBook>,
    editions: Vec<Edition>,
    config: SyncConfig,
    zone: Zone,
    looked_at: bool,
}

impl Case {
    fn new(item: SourceItem) -> Self {
        Self {
            item,
            matched: MatchOutcome::Matched {
                book_id: BOOK,
                edition_id: Some(10),
                method: MatchMethod::Isbn13,
                confidence: 1.0,
            },
            state: None,
            ub: None,
            editions: vec![text_edition(10, BOOK, Some(400))],
            config: SyncConfig { direction: Direction::ToHardcover, ..SyncConfig::default() },
            zone: Zone::utc(),
            looked_at: true,
        }
    }

    fn shelf(mut self, status: Status, edition: Option<Edition>, read: Option<Read>) -> Self {
        self.ub = Some(UserBook {
            id: 500,
            book_id: BOOK,
            status,
            rating: None,
            edition,
            latest_read: read,
            updated_at: None,
        });
        self
    }

    fn direction(mut self, d: Direction) -> Self {
        self.config.direction = d;
        self
    }

    fn plan(&self) -> ItemPlan {
        let input = PlanInput {
            item: &self.item,
            matched: &self.matched,
            state: self.state.as_ref(),
            looked_at: self.looked_at,
            user_book: self.ub.as_ref(),
            editions: &self.editions,
        };
        let ctx = PlanContext { config: &self.config, zone: self.zone, now: at(2026, 4, 1, 12) };
        plan_item(&input, &ctx)
    }
}

fn open_read(id: i64, edition: i64, pages: Option<i64>, seconds: Option<i64>) -> Read {
    Read {
        id,
        edition_id: Some(edition),
        progress_pages: pages,
        progress_seconds: seconds,
        started_at: Some(day(2026, 2, 1)),
        finished_at: None,
    }
}

fn finished(mut it: SourceItem, when: DateTime<Utc>) -> SourceItem {
    it.is_finished = true;
    it.fraction = 1.0;
    it.finished_at = Some(when);
    it
}

fn patches(p: &ItemPlan) -> Vec<&ReadPatch> {
    p.steps
        .iter()
        .filter_map(|s| match s {
            Step::UpdateRead { patch, .. } | Step::StartRead { patch, .. } => Some(patch),
            _ => None,
        })
        .collect()
}

fn no_insert_or_extra_update(p: &ItemPlan) -> bool {
    let read_steps = p.steps.iter().filter(|s| matches!(s, Step::UpdateRead { .. } | Step::StartRead { .. })).count();
    read_steps <= 1 && !p.steps.iter().any(|s| matches!(s, Step::StartRead { .. }))
}

#[test]
fn progress_on_the_editions_terms_audio_gets_seconds() {
    let mut it = item("a");
    it.format = Format::Audio;
    it.fraction = 0.5;
    let ed = audio_edition(20, BOOK, Some(36_000));
    let case =
        Case::new(it).shelf(Status::CurrentlyReading, Some(ed.clone()), Some(open_read(7, 20, None, Some(3_600))));
    let p = case.plan();
    assert_eq!(p.action, Action::Progress, "{p:?}");
    let patch = patches(&p)[0];
    assert_eq!(
        patch.progress_seconds,
        Some(18_000),
        "an audio edition's progress must be sent as seconds of its length"
    );
    assert_eq!(patch.progress_pages, None, "an audio edition must never get pages (it would show 0%)");
    assert!(matches!(p.steps[0], Step::UpdateRead { read: ReadRef::Id(7), .. }), "progress updates the open read");
}

#[test]
fn progress_on_the_editions_terms_text_gets_pages_scaled_from_the_fraction() {
    let mut it = item("t");
    it.fraction = 0.25;
    it.position = Some(9_999.0); // a source's own unit must not leak into Hardcover's pages
    let case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, Some(400))),
        Some(open_read(7, 10, Some(50), None)),
    );
    let patch = patches(&case.plan())[0].clone();
    assert_eq!(
        patch.progress_pages,
        Some(100),
        "text progress must be the fraction scaled to the edition's page count"
    );
    assert_eq!(patch.progress_seconds, None);
}

#[test]
fn an_edition_without_pages_or_length_is_replaced_by_a_measurable_one_or_reported_never_zero_percent() {
    // New book: the matched edition has no numbers, so the book's ebook edition with pages is used.
    let mut case = Case::new(item("n"));
    case.editions =
        vec![text_edition(10, BOOK, None), audio_edition(11, BOOK, Some(30_000)), text_edition(12, BOOK, Some(320))];
    let p = case.plan();
    assert!(
        matches!(p.steps[0], Step::AddBook { edition_id: Some(12), status: Status::CurrentlyReading, .. }),
        "a new book must be added with a measurable edition in the source's format: {:?}",
        p.steps
    );
    assert_eq!(patches(&p)[0].progress_pages, Some(128), "and progress sent in that edition's pages");

    // On the shelf with the user's own unmeasurable edition: report, do not switch, send nothing.
    let case = Case::new(item("n")).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, None)),
        Some(open_read(7, 10, None, None)),
    );
    let p = case.plan();
    assert_eq!(
        p.skip,
        Some(SkipReason::EditionUnmeasurable { edition_id: Some(10) }),
        "an unmeasurable user edition must be reported"
    );
    assert!(p.steps.is_empty(), "nothing may be sent that would show 0%");
    assert!(p.skip.unwrap().to_string().contains("0%"), "the reason must tell the user why");
}

#[test]
fn the_users_edition_is_never_switched() {
    // Matched by ASIN to the audiobook edition, but the user has the hardcover on their shelf.
    let mut it = item("e");
    it.format = Format::Audio;
    it.fraction = 0.5;
    let mut case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(50, BOOK, Some(300))),
        Some(open_read(7, 50, Some(10), None)),
    );
    case.matched =
        MatchOutcome::Matched { book_id: BOOK, edition_id: Some(60), method: MatchMethod::Asin, confidence: 1.0 };
    case.editions = vec![audio_edition(60, BOOK, Some(40_000)), text_edition(50, BOOK, Some(300))];
    let p = case.plan();
    let patch = patches(&p)[0];
    assert_eq!(patch.edition_id, Some(50), "the read must stay on the user's edition, not the matched one");
    assert_eq!(patch.progress_pages, Some(150), "progress is then measured in the user's edition");
    assert!(!p.steps.iter().any(|s| matches!(s, Step::AddBook { .. })), "a shelved book is never re-added");
}

#[test]
fn one_read_at_a_time_a_status_change_updates_the_read_the_server_made() {
    let mut it = item("w");
    it.fraction = 0.3;
    let case = Case::new(it).shelf(Status::WantToRead, Some(text_edition(10, BOOK, Some(400))), None);
    let p = case.plan();
    assert_eq!(p.steps[0], Step::SetStatus { status: Status::CurrentlyReading });
    assert!(
        matches!(p.steps[1], Step::UpdateRead { read: ReadRef::Latest, .. }),
        "after setting Currently Reading the plan must update THE read the server opened: {:?}",
        p.steps
    );
    assert!(no_insert_or_extra_update(&p), "a status change must never be followed by an inserted read: {:?}", p.steps);

    // Adding a new book works the same way: the server's first read is the one written.
    let p = Case::new(finished(item("new"), at(2026, 3, 3, 9))).plan();
    assert!(matches!(p.steps[0], Step::AddBook { status: Status::Read, .. }));
    assert!(matches!(p.steps[1], Step::UpdateRead { read: ReadRef::Latest, .. }), "{:?}", p.steps);
    assert!(
        no_insert_or_extra_update(&p),
        "adding a finished book must leave exactly the server's read: {:?}",
        p.steps
    );
}

#[test]
fn finishing_a_currently_reading_book_sets_status_first_then_dates_that_read() {
    let it = finished(item("f"), at(2026, 3, 14, 20));
    let case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, Some(400))),
        Some(open_read(7, 10, Some(300), None)),
    );
    let p = case.plan();
    assert_eq!(p.action, Action::Finish);
    assert_eq!(
        p.steps[0],
        Step::SetStatus { status: Status::Read },
        "status Read must come FIRST so the server's automatic finished read is the one we date (else two finished reads)"
    );
    match &p.steps[1] {
        Step::UpdateRead { read: ReadRef::Latest, patch } => {
            assert_eq!(
                patch.finished_at,
                Some(day(2026, 3, 14)),
                "the read must be dated with the source's finish day"
            );
            assert_eq!(patch.progress_pages, Some(400), "a finished read is at the edition's last page");
            assert_eq!(patch.started_at, None, "the open read's own start date must be kept (None = keep)");
        }
        other => panic!("the second step must date the latest read, got {other:?}"),
    }
    assert!(no_insert_or_extra_update(&p), "finishing must never insert a read: {:?}", p.steps);
}

#[test]
fn a_finish_dated_before_the_open_read_began_is_a_conflict_not_a_backdated_read() {
    // Hardcover has a read in progress since 2026-02-01; the source says it finished 2026-01-20:
    // that finish belongs to an earlier read (Hardcover refuses finished_at < started_at).
    for status in [Status::CurrentlyReading, Status::Read] {
        let it = finished(item("f"), at(2026, 1, 20, 20));
        let case = Case::new(it).shelf(
            status,
            Some(text_edition(10, BOOK, Some(400))),
            Some(open_read(7, 10, Some(300), None)),
        );
        let p = case.plan();
        assert!(
            p.steps.is_empty(),
            "a finish older than the open read's start must not change Hardcover ({status:?}): {:?}",
            p.steps
        );
        assert!(
            matches!(&p.skip, Some(SkipReason::Conflict { detail }) if detail.contains("2026-01-20") && detail.contains("2026-02-01")),
            "the conflict must name both dates so the user can tell which read is which: {:?}",
            p.skip
        );
    }
    // A finish on or after the read's start still finishes that read.
    let it = finished(item("f"), at(2026, 2, 1, 20));
    let case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, Some(400))),
        Some(open_read(7, 10, Some(300), None)),
    );
    assert_eq!(case.plan().action, Action::Finish, "a finish on the day the read began is a normal finish");
}

#[test]
fn a_new_read_is_inserted_only_for_a_reread() {
    let finished_read = Read { finished_at: Some(day(2025, 12, 1)), ..open_read(7, 10, Some(400), None) };
    let mut again = item("r");
    again.fraction = 0.2;
    again.started_at = Some(at(2026, 3, 1, 8));
    let case =
        Case::new(again).shelf(Status::Read, Some(text_edition(10, BOOK, Some(400))), Some(finished_read.clone()));
    let p = case.plan();
    assert_eq!(p.action, Action::Reread);
    assert_eq!(p.steps[0], Step::SetStatus { status: Status::CurrentlyReading });
    assert!(
        matches!(&p.steps[1], Step::StartRead { after_read: Some(7), patch } if patch.progress_pages == Some(80)),
        "a re-read must open one read after the finished one (or update the one the server opened): {:?}",
        p.steps
    );

    // Progress from BEFORE the Hardcover finish is a stale device, not a re-read.
    let mut stale = item("r");
    stale.fraction = 0.6;
    stale.started_at = Some(at(2025, 11, 1, 8));
    let case = Case::new(stale).shelf(Status::Read, Some(text_edition(10, BOOK, Some(400))), Some(finished_read));
    let p = case.plan();
    assert!(p.steps.is_empty(), "stale progress must not start a re-read: {:?}", p.steps);
    assert!(
        matches!(p.skip, Some(SkipReason::Conflict { .. })),
        "and the skip must say it is a conflict: {:?}",
        p.skip
    );
}

#[test]
fn never_lower_hardcovers_progress_unless_configured() {
    let mut it = item("l");
    it.fraction = 0.3; // 120 of 400 pages; Hardcover has 200
    let mut case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, Some(400))),
        Some(open_read(7, 10, Some(200), None)),
    );
    let p = case.plan();
    assert_eq!(
        p.skip,
        Some(SkipReason::WouldLowerProgress { current: Position::Pages(200), proposed: Position::Pages(120) }),
        "lower progress from a stale device must not overwrite Hardcover"
    );
    assert!(p.steps.is_empty());
    case.config.regression_guard = false;
    let p = case.plan();
    assert_eq!(patches(&p)[0].progress_pages, Some(120), "with regression_guard off the lower progress is sent");
}

#[test]
fn never_refinish_a_finished_book_every_sync() {
    let it = finished(item("d"), at(2026, 1, 5, 9));
    let read = Read { finished_at: Some(day(2026, 1, 5)), ..open_read(7, 10, Some(400), None) };
    let case = Case::new(it).shelf(Status::Read, Some(text_edition(10, BOOK, Some(400))), Some(read));
    let p = case.plan();
    assert_eq!(p.skip, Some(SkipReason::AlreadyFinished), "a book finished on both sides must not be finished again");
    assert!(p.steps.is_empty(), "no status change, no read: {:?}", p.steps);
    assert!(p.record.is_some(), "the skip is remembered so the next sync does not even look");
}

#[test]
fn finish_date_is_the_sources_day_in_the_users_zone_not_the_sync_day() {
    let late_evening = at(2026, 3, 1, 23); // 23:00 UTC = 2 March in Berlin, 1 March in New York
    let mut case = Case::new(finished(item("z"), late_evening));
    case.zone = Zone::Fixed(FixedOffset::east_opt(3600).unwrap());
    assert_eq!(patches(&case.plan())[0].finished_at, Some(day(2026, 3, 2)), "the finish day is the user's local day");
    case.zone = Zone::Fixed(FixedOffset::west_opt(5 * 3600).unwrap());
    assert_eq!(patches(&case.plan())[0].finished_at, Some(day(2026, 3, 1)));
    assert_ne!(patches(&case.plan())[0].finished_at, Some(day(2026, 4, 1)), "never the day the sync ran");
}

#[test]
fn rating_on_finish_in_halves() {
    let mut it = finished(item("s"), at(2026, 3, 3, 9));
    it.rating = Some(4.3);
    let p = Case::new(it.clone()).plan();
    assert!(
        matches!(p.steps[0], Step::AddBook { rating: Some(r), .. } if r == 4.5),
        "a finished book must carry the source's rating rounded to halves: {:?}",
        p.steps
    );
    assert!(p.effects.rated);
    let case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, Some(400))),
        Some(open_read(7, 10, Some(1), None)),
    );
    assert_eq!(
        case.plan().steps.last(),
        Some(&Step::Rate { rating: 4.5 }),
        "finishing a shelved book rates it after dating the read"
    );
}

#[test]
fn never_overwrite_the_users_hardcover_rating_unless_configured() {
    let mut it = finished(item("o"), at(2026, 3, 3, 9));
    it.rating = Some(4.5);
    let mut case = Case::new(it).shelf(
        Status::CurrentlyReading,
        Some(text_edition(10, BOOK, Some(400))),
        Some(open_read(7, 10, Some(1), None)),
    );
    case.ub.as_mut().unwrap().rating = Some(3.0);
    let p = case.plan();
    assert!(
        !p.steps.iter().any(|s| matches!(s, Step::Rate { .. })),
        "the user's own rating must not be overwritten: {:?}",
        p.steps
    );
    assert!(
        p.notes.iter().any(|n| n.contains("kept your Hardcover rating 3")),
        "and the plan must say so: {:?}",
        p.notes
    );
    case.config.overwrite_ratings = true;
    assert_eq!(case.plan().steps.last(), Some(&Step::Rate { rating: 4.5 }), "overwrite_ratings replaces it");
    case.config.sync_ratings = false;
    assert!(!case.plan().steps.iter().any(|s| matches!(s, Step::Rate { .. })), "sync_ratings off sends no rating");
}

#[test]
fn want_to_read_becomes_currently_reading_only_past_the_threshold() {
    let mut it = item("th");
    it.fraction = 0.005;
    let p = Case::new(it.clone()).plan();
    assert!(
        matches!(p.steps.as_slice(), [Step::AddBook { status: Status::WantToRead, .. }]),
        "below the threshold a new book is Want to Read: {:?}",
        p.steps
    );
    let case = Case::new(it.clone()).shelf(Status::WantToRead, Some(text_edition(10, BOOK, Some(400))), None);
    assert!(
        matches!(case.plan().skip, Some(SkipReason::BelowThreshold { .. })),
        "a shelved Want to Read book stays so below the threshold"
    );
    it.fraction = 0.02;
    let p = Case::new(it).plan();
    assert!(
        matches!(p.steps[0], Step::AddBook { status: Status::CurrentlyReading, .. }),
        "past the threshold it is Currently Reading"
    );
}

#[test]
fn an_unchanged_source_item_costs_nothing() {
    let it = item("u");
    let mut case = Case::new(it.clone());
    case.state = Some(ItemState {
        source: "abs".into(),
        item_id: "u".into(),
        fingerprint: fingerprint(&it, Some(BOOK)),
        pushed: None,
        written_back: None,
        updated_at: at(2026, 3, 1, 0),
    });
    let p = case.plan();
    assert_eq!(p.skip, Some(SkipReason::Unchanged), "an item that did not change since the last sync must be skipped");
    case.matched = MatchOutcome::Matched { book_id: 2, edition_id: None, method: MatchMethod::Manual, confidence: 1.0 };
    assert_ne!(case.plan().skip, Some(SkipReason::Unchanged), "linking the item to another book counts as a change");
}

#[test]
fn unmatched_items_are_skipped_and_not_remembered() {
    let mut case = Case::new(item("x"));
    case.matched = MatchOutcome::Unmatched { candidates: vec![] };
    let p = case.plan();
    assert_eq!(p.skip, Some(SkipReason::Unmatched));
    assert!(
        p.record.is_none(),
        "an unmatched item must not be marked as handled, or linking it later would sync nothing"
    );
}

#[test]
fn dnf_and_ignored_books_are_left_alone() {
    for status in [Status::DidNotFinish, Status::Ignored] {
        let case = Case::new(item("i")).shelf(status, Some(text_edition(10, BOOK, Some(400))), None);
        let p = case.plan();
        assert!(p.steps.is_empty(), "a book the user marked {} must not be changed: {:?}", status.label(), p.steps);
    }
}

fn synced_state(it: &SourceItem, hc: (f64, bool), written_back: Option<(f64, bool)>) -> ItemState {
    let mark = |(fraction, finished): (f64, bool)| Mark { fraction, finished, at: at(2026, 3, 1, 0) };
    ItemState {
        source: "abs".into(),
        item_id: it.id.clone(),
        fingerprint: fingerprint(it, Some(BOOK)),
        pushed: Some(mark(hc)),
        written_back: written_back.map(mark),
        updated_at: at(2026, 3, 1, 0),
    }
}

#[test]
fn from_hardcover_writes_the_finish_back_with_hardcovers_date() {
    let mut it = item("fh");
    it.fraction = 0.8;
    let read = Read { finished_at: Some(day(2026, 3, 9)), ..open_read(7, 10, Some(400), None) };
    let case = Case::new(it)
        .shelf(Status::Read, Some(text_edition(10, BOOK, Some(400))), Some(read))
        .direction(Direction::FromHardcover);
    let p = case.plan();
    match p.steps.as_slice() {
        [Step::WriteBack { update: SourceUpdate::Finished { finished_at: Some(t) } }] => {
            assert_eq!(Zone::utc().date_of(*t), day(2026, 3, 9), "the source must get Hardcover's finish day");
        }
        other => panic!("a book finished on Hardcover must be marked finished on the source: {other:?}"),
    }
    assert!(p.effects.written_back);
}

#[test]
fn from_hardcover_never_lowers_the_sources_progress() {
    let mut it = item("fl");
    it.fraction = 0.6;
    let case = Case::new(it)
        .shelf(
            Status::CurrentlyReading,
            Some(text_edition(10, BOOK, Some(400))),
            Some(open_read(7, 10, Some(100), None)),
        )
        .direction(Direction::FromHardcover);
    let p = case.plan();
    assert!(
        matches!(p.skip, Some(SkipReason::WouldLowerProgress { .. })),
        "Hardcover's 25% must not overwrite the source's 60%: {p:?}"
    );
    let mut it = item("fl");
    it.fraction = 0.1;
    it.total = Some(200.0);
    let case = Case::new(it)
        .shelf(
            Status::CurrentlyReading,
            Some(text_edition(10, BOOK, Some(400))),
            Some(open_read(7, 10, Some(100), None)),
        )
        .direction(Direction::FromHardcover);
    assert_eq!(
        case.plan().steps,
        vec![Step::WriteBack { update: SourceUpdate::Progress { fraction: 0.25, position: Some(50.0) } }],
        "higher Hardcover progress is written back, in the source's own unit too"
    );
}

#[test]
fn bidirectional_the_newest_change_wins_and_equal_timestamps_do_nothing() {
    let mut it = item("b");
    it.fraction = 0.5;
    it.updated_at = Some(at(2026, 3, 10, 12));
    let base = || {
        let mut c = Case::new(it.clone())
            .shelf(
                Status::CurrentlyReading,
                Some(text_edition(10, BOOK, Some(400))),
                Some(open_read(7, 10, Some(120), None)),
            )
            .direction(Direction::Bidirectional);
        c.state = None;
        c
    };
    let mut c = base();
    c.ub.as_mut().unwrap().updated_at = Some(at(2026, 3, 9, 12));
    assert!(matches!(c.plan().steps.as_slice(), [Step::UpdateRead { .. }]), "a newer source change goes to Hardcover");

    let mut c = base();
    c.item.fraction = 0.2;
    c.ub.as_mut().unwrap().updated_at = Some(at(2026, 3, 11, 12));
    assert!(
        matches!(c.plan().steps.as_slice(), [Step::WriteBack { update: SourceUpdate::Progress { .. } }]),
        "a newer Hardcover change is written back: {:?}",
        c.plan()
    );

    let mut c = base();
    c.ub.as_mut().unwrap().updated_at = it.updated_at;
    let p = c.plan();
    assert!(p.steps.is_empty(), "equal timestamps on both sides must change nothing: {:?}", p.steps);
    assert!(matches!(p.skip, Some(SkipReason::Conflict { .. })));
}

#[test]
fn bidirectional_never_echoes_a_change_we_wrote() {
    // We wrote 60% back to the source; since then the user set Hardcover to 55% by hand. The
    // source's 60% is newer by timestamp, but it is OUR write: it must not go back to Hardcover.
    let mut it = item("echo");
    it.fraction = 0.6;
    it.updated_at = Some(at(2026, 3, 12, 12));
    let mut case = Case::new(it.clone())
        .shelf(
            Status::CurrentlyReading,
            Some(text_edition(10, BOOK, Some(400))),
            Some(open_read(7, 10, Some(220), None)),
        )
        .direction(Direction::Bidirectional);
    case.ub.as_mut().unwrap().updated_at = Some(at(2026, 3, 11, 12));
    let mut before = it.clone();
    before.fraction = 0.4; // the fingerprint is from before our write-back
    case.state = Some(synced_state(&before, (0.6, false), Some((0.6, false))));
    let p = case.plan();
    assert!(
        !p.steps.iter().any(|s| matches!(s, Step::UpdateRead { .. } | Step::SetStatus { .. })),
        "our own write to the source must never be pushed back to Hardcover: {:?}",
        p.steps
    );

    // And a value we pushed to Hardcover is not written back to the source either.
    let mut it = item("echo2");
    it.fraction = 0.5;
    it.updated_at = Some(at(2026, 3, 10, 12));
    let mut case = Case::new(it.clone())
        .shelf(
            Status::CurrentlyReading,
            Some(text_edition(10, BOOK, Some(400))),
            Some(open_read(7, 10, Some(200), None)),
        )
        .direction(Direction::Bidirectional);
    case.ub.as_mut().unwrap().updated_at = Some(at(2026, 3, 11, 12)); // bumped by OUR push
    case.state = Some(synced_state(&it, (0.5, false), None));
    let p = case.plan();
    assert_eq!(p.skip, Some(SkipReason::Unchanged), "what we pushed must not come back as a write-back: {p:?}");
}

#[test]
fn one_book_from_two_sources_is_synced_from_the_one_further_along() {
    let mut audio = item("audio");
    audio.format = Format::Audio;
    audio.fraction = 0.3;
    let mut ebook = item("ebook");
    ebook.source = "komga".into();
    ebook.fraction = 0.6;
    let a = Case::new(audio);
    let b = Case::new(ebook);
    let inputs: Vec<PlanInput<'_>> = [&a, &b]
        .iter()
        .map(|c| PlanInput {
            item: &c.item,
            matched: &c.matched,
            state: None,
            looked_at: true,
            user_book: None,
            editions: &c.editions,
        })
        .collect();
    let ctx = PlanContext { config: &a.config, zone: Zone::utc(), now: at(2026, 4, 1, 12) };
    let plans = plan(&inputs, &ctx);
    let adds = plans.iter().flat_map(|p| &p.steps).filter(|s| matches!(s, Step::AddBook { .. })).count();
    assert_eq!(adds, 1, "one book must be added once, not once per source: {plans:?}");
    assert_eq!(patches(&plans[1])[0].progress_pages, Some(240), "the item further along wins");
    assert!(plans[0].steps.is_empty() && plans[0].record.is_none(), "the other is skipped and re-judged next sync");
    assert_eq!(plans[0].item_id, "audio", "the skipped plan still names its own item");
    assert!(matches!(&plans[0].skip, Some(SkipReason::Conflict { detail }) if detail.contains("komga/ebook")));
}

#[test]
fn a_book_whose_shelf_was_not_read_is_unchanged_never_added_again() {
    // Watching Hardcover, the shelf entry of a book neither side changed is not read: no shelf
    // entry in the input then means "not looked at", not "not on the shelf".
    for direction in [Direction::FromHardcover, Direction::Bidirectional, Direction::ToHardcover] {
        let mut case = Case::new(item("dune")).direction(direction);
        case.looked_at = false;
        let p = case.plan();
        assert!(p.steps.is_empty(), "{direction:?}: a book not looked at must get no step (no second add): {p:?}");
        assert_eq!(p.skip, Some(SkipReason::Unchanged), "{direction:?}: a book not looked at is unchanged");
    }
}
