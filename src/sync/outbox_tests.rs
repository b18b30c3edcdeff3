use super::*;
use crate::store::outbox::OutboxEntry;
use crate::sync::plan::{Action, Effects};
use crate::sync::port::{ReadPatch, Status};
use crate::sync::testing::{at, day};

fn pending(id: i64, state: OutboxState, step: Step) -> Pending {
    Pending {
        entry: OutboxEntry {
            id,
            run_id: Some(1),
            source: "abs".into(),
            item_id: "x".into(),
            kind: step.kind().into(),
            payload: String::new(),
            state,
            attempts: 0,
            result: None,
            error: None,
            created_at: at(2026, 3, 1, 0),
            updated_at: at(2026, 3, 1, 0),
        },
        envelope: Envelope {
            title: "t".into(),
            book_id: Some(1),
            user_book_id: Some(5),
            step,
            index: 0,
            count: 2,
            record: None,
        },
    }
}

fn finish_steps(state_first: OutboxState, state_second: OutboxState) -> Group {
    let patch = ReadPatch { finished_at: Some(day(2026, 3, 14)), progress_pages: Some(400), ..ReadPatch::default() };
    Group {
        run_id: Some(1),
        source: "abs".into(),
        item_id: "x".into(),
        steps: vec![
            pending(1, state_first, Step::SetStatus { status: Status::Read }),
            pending(2, state_second, Step::UpdateRead { read: ReadRef::Latest, patch }),
        ],
    }
}

/// The rows' stamp in [`pending`].
fn sent_at() -> DateTime<Utc> {
    at(2026, 3, 1, 0)
}

/// Reconciled a day after the rows were sent: long settled.
fn settled(group: &Group, current: Option<&UserBook>) -> Vec<(i64, Verdict)> {
    reconcile_group(group, current, &[], at(2026, 3, 2, 0), SETTLE_WINDOW)
}

fn shelf(status: Status, read: Read) -> UserBook {
    UserBook { id: 5, book_id: 1, status, rating: None, edition: None, latest_read: Some(read), updated_at: None }
}

#[test]
fn a_status_change_that_went_through_gets_its_read_dated_not_resent() {
    // Crash after "set status Read" was sent: Hardcover shows Read with a read finished TODAY.
    let today_read = Read { id: 9, finished_at: Some(day(2026, 4, 1)), progress_pages: Some(300), ..Read::default() };
    let v = settled(&finish_steps(OutboxState::Sent, OutboxState::Pending), Some(&shelf(Status::Read, today_read)));
    assert_eq!(v[0], (1, Verdict::Done), "a status change Hardcover already shows must not be sent again");
    assert_eq!(v[1], (2, Verdict::Resend), "the read must still get the source's finish date, or 'today' sticks");
}

#[test]
fn an_item_that_never_reached_hardcover_is_obsolete_not_resent() {
    let open = Read { id: 9, progress_pages: Some(300), ..Read::default() };
    let v =
        settled(&finish_steps(OutboxState::Sent, OutboxState::Pending), Some(&shelf(Status::CurrentlyReading, open)));
    assert!(
        v.iter().all(|(_, v)| matches!(v, Verdict::Obsolete(_))),
        "nothing of the item took effect: the next plan redoes it from the current state, nothing is blindly re-sent: {v:?}"
    );
}

#[test]
fn an_item_fully_applied_is_marked_done() {
    let dated = Read { id: 9, finished_at: Some(day(2026, 3, 14)), progress_pages: Some(400), ..Read::default() };
    let v = settled(&finish_steps(OutboxState::Done, OutboxState::Sent), Some(&shelf(Status::Read, dated)));
    assert_eq!(
        v,
        vec![(2, Verdict::Done)],
        "a sent update Hardcover shows must be marked done, and done rows are left alone"
    );
}

#[test]
fn a_book_removed_from_the_shelf_makes_its_steps_obsolete() {
    let v = settled(&finish_steps(OutboxState::Done, OutboxState::Pending), None);
    assert!(matches!(&v[0], (2, Verdict::Obsolete(why)) if why.contains("no longer on the Hardcover shelf")), "{v:?}");
}

#[test]
fn a_reread_whose_read_the_server_opened_is_not_inserted_again() {
    let g = Group {
        run_id: Some(1),
        source: "abs".into(),
        item_id: "x".into(),
        steps: vec![
            pending(1, OutboxState::Done, Step::SetStatus { status: Status::CurrentlyReading }),
            pending(
                2,
                OutboxState::Sent,
                Step::StartRead {
                    after_read: Some(7),
                    patch: ReadPatch { progress_pages: Some(80), ..ReadPatch::default() },
                },
            ),
        ],
    };
    let opened = Read { id: 8, progress_pages: Some(80), ..Read::default() };
    let v = settled(&g, Some(&shelf(Status::CurrentlyReading, opened)));
    assert_eq!(v, vec![(2, Verdict::Done)], "a read that already exists with our progress must not be inserted again");
}

#[test]
fn entries_carry_the_steps_in_order_with_the_record_on_the_last() {
    let plan = ItemPlan {
        source: "abs".into(),
        item_id: "x".into(),
        title: "Dune".into(),
        book_id: Some(1),
        user_book_id: Some(5),
        action: Action::Finish,
        steps: vec![Step::SetStatus { status: Status::Read }, Step::Rate { rating: 4.0 }],
        skip: None,
        effects: Effects::default(),
        notes: vec![],
        record: Some(Record { fingerprint: "fp".into(), hardcover: Some((1.0, true)), written_back: None }),
    };
    let e = entries_for(&plan, Some(3));
    assert_eq!(e.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["set_status", "rate"]);
    let last: Envelope = serde_json::from_str(&e[1].payload).unwrap();
    let first: Envelope = serde_json::from_str(&e[0].payload).unwrap();
    assert!(first.record.is_none() && last.record.is_some(), "item_state is stored only once the last step succeeded");
    assert_eq!(last.step, Step::Rate { rating: 4.0 });
}

#[test]
fn a_change_sent_10_s_ago_that_hardcover_does_not_show_yet_is_left_open() {
    let group = finish_steps(OutboxState::Sent, OutboxState::Pending);
    let still_reading = shelf(Status::CurrentlyReading, Read { id: 9, ..Read::default() });
    let ten_s_later = sent_at() + chrono::TimeDelta::seconds(10);
    let v = reconcile_group(&group, Some(&still_reading), &[], ten_s_later, SETTLE_WINDOW);
    assert_eq!(
        v,
        vec![(1, Verdict::Wait), (2, Verdict::Wait)],
        "a change sent within the settle window may still be processed: neither re-sent nor dropped, nor the steps after it"
    );
    let v = reconcile_group(&group, None, &[], ten_s_later, SETTLE_WINDOW);
    assert!(v.iter().all(|(_, v)| *v == Verdict::Wait), "not on the shelf yet is no proof either: {v:?}");
}

#[test]
fn a_change_sent_10_s_ago_that_hardcover_already_shows_is_settled_at_once() {
    let read = Read { id: 9, finished_at: Some(day(2026, 4, 1)), progress_pages: Some(300), ..Read::default() };
    let ten_s_later = sent_at() + chrono::TimeDelta::seconds(10);
    let v = reconcile_group(
        &finish_steps(OutboxState::Sent, OutboxState::Pending),
        Some(&shelf(Status::Read, read)),
        &[],
        ten_s_later,
        SETTLE_WINDOW,
    );
    assert_eq!(v[0], (1, Verdict::Done), "a change Hardcover already shows needs no waiting");
    assert_eq!(v[1], (2, Verdict::Resend), "and the half-done item is finished in the same run");
}

#[test]
fn a_change_sent_longer_ago_than_the_window_is_reconciled_as_not_arrived() {
    let group = finish_steps(OutboxState::Sent, OutboxState::Pending);
    let still_reading = shelf(Status::CurrentlyReading, Read { id: 9, ..Read::default() });
    let past_window = sent_at() + chrono::TimeDelta::seconds(41);
    let v = reconcile_group(&group, Some(&still_reading), &[], past_window, SETTLE_WINDOW);
    assert!(
        v.iter().all(|(_, v)| matches!(v, Verdict::Obsolete(_))),
        "past the settle window a change Hardcover does not show did not arrive: {v:?}"
    );
    let v = reconcile_group(&group, Some(&still_reading), &[], sent_at(), std::time::Duration::ZERO);
    assert!(v.iter().all(|(_, v)| matches!(v, Verdict::Obsolete(_))), "a zero window never waits: {v:?}");
}
