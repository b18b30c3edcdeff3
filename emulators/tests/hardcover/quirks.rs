//! Hardcover's automatic reads and computed progress (API-FACTS.md, pitfalls).

use chrono::NaiveDate;
use hardcover_sync_emulators::hardcover::state::Edition;
use hardcover_sync_emulators::hardcover::{
    ALL_SCOPES, AutoReadPolicy, HardcoverEmulator, Limits, RunningHardcover, SeedSpec,
};
use serde_json::{Value, json};

use crate::support::*;

const INSERT: &str =
    "mutation($o: UserBookCreateInput!) { insert_user_book(object: $o) { id error user_book { status_id } } }";
const UPDATE: &str =
    "mutation($id: Int!, $o: UserBookUpdateInput!) { update_user_book(id: $id, object: $o) { id error } }";
const READS: &str = "query($id: Int!) { user_book_reads(where: {user_book_id: {_eq: $id}}, order_by: {id: asc}) { id started_at finished_at progress } }";

async fn insert(hc: &RunningHardcover, book: i64, status: i64) -> i64 {
    let a = gql(hc, INSERT, json!({"o": {"book_id": book, "status_id": status}})).await;
    assert_eq!(a.data()["insert_user_book"]["error"], Value::Null, "inserting a new book must succeed: {}", a.body);
    a.data()["insert_user_book"]["id"].as_i64().unwrap()
}

async fn reads(hc: &RunningHardcover, ub: i64) -> Vec<Value> {
    gql(hc, READS, json!({"id": ub})).await.data()["user_book_reads"].as_array().unwrap().clone()
}

#[tokio::test]
async fn setting_read_creates_a_read_finished_today() {
    let hc = start().await;
    let ub = insert(&hc, book_not_on_shelf(&hc), 3).await;
    let r = reads(&hc, ub).await;
    assert_eq!(r.len(), 1, "status Read must create exactly one read");
    assert_eq!(
        r[0]["finished_at"],
        json!(today().to_string()),
        "the automatic read is finished on the emulator's today"
    );
    hc.set_today(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
    let ub2 = insert(&hc, book_not_on_shelf(&hc), 3).await;
    assert_eq!(reads(&hc, ub2).await[0]["finished_at"], "2026-07-01", "set_today moves the date Hardcover stamps");
}

#[tokio::test]
async fn currently_reading_opens_a_read_once() {
    let hc = start().await;
    let ub = insert(&hc, book_not_on_shelf(&hc), 1).await;
    assert!(reads(&hc, ub).await.is_empty(), "Want to Read creates no read");
    gql(&hc, UPDATE, json!({"id": ub, "o": {"status_id": 2}})).await.data();
    let r = reads(&hc, ub).await;
    assert_eq!(r.len(), 1, "Currently Reading opens one read");
    assert_eq!(
        (r[0]["started_at"].clone(), r[0]["finished_at"].clone()),
        (json!(today().to_string()), Value::Null),
        "the open read starts today"
    );
    gql(&hc, UPDATE, json!({"id": ub, "o": {"status_id": 2, "rating": 4.5}})).await.data();
    assert_eq!(reads(&hc, ub).await.len(), 1, "staying Currently Reading must not open a second read");
    gql(&hc, UPDATE, json!({"id": ub, "o": {"status_id": 3}})).await.data();
    let r = reads(&hc, ub).await;
    assert_eq!(r.len(), 1, "moving from Currently Reading to Read closes the open read instead of adding one");
    assert_eq!(r[0]["finished_at"], json!(today().to_string()), "the closed read is finished today");
}

#[tokio::test]
async fn read_after_a_finished_read_adds_a_second_read_dated_today() {
    // The peer bug: add as Currently Reading, date the read's finish, then set Read.
    let hc = start().await;
    let ub = insert(&hc, book_not_on_shelf(&hc), 2).await;
    let read = reads(&hc, ub).await[0]["id"].as_i64().unwrap();
    let upd = gql(&hc, "mutation($id: Int!) { update_user_book_read(id: $id, object: {finished_at: \"2026-03-01\", started_at: \"2026-02-01\"}) { error } }", json!({"id": read})).await;
    assert_eq!(upd.data()["update_user_book_read"]["error"], Value::Null, "dating the read succeeds");
    gql(&hc, UPDATE, json!({"id": ub, "o": {"status_id": 3}})).await.data();
    let r = reads(&hc, ub).await;
    let finished: Vec<_> = r.iter().map(|r| r["finished_at"].clone()).collect();
    assert_eq!(
        finished,
        [json!("2026-03-01"), json!(today().to_string())],
        "Hardcover adds a second read finished today on top of a finished one"
    );
}

#[tokio::test]
async fn keep_finished_policy_leaves_a_finished_read_alone() {
    let hc = HardcoverEmulator::builder()
        .today(today())
        .library(SeedSpec { books: 20, ..SeedSpec::default() })
        .personal_token(TOKEN, ALL_SCOPES)
        .limits(Limits::unlimited())
        .auto_read_policy(AutoReadPolicy::KeepFinished)
        .start()
        .await
        .unwrap();
    let ub = insert(&hc, book_not_on_shelf(&hc), 2).await;
    let read = reads(&hc, ub).await[0]["id"].as_i64().unwrap();
    gql(
        &hc,
        "mutation($id: Int!) { update_user_book_read(id: $id, object: {finished_at: \"2026-03-01\"}) { error } }",
        json!({"id": read}),
    )
    .await
    .data();
    gql(&hc, UPDATE, json!({"id": ub, "o": {"status_id": 3}})).await.data();
    assert_eq!(reads(&hc, ub).await.len(), 1, "with KeepFinished no second read is added");
}

#[tokio::test]
async fn progress_is_a_percentage_of_the_reads_edition() {
    let hc = start().await;
    let reader = hc.user_id("reader").unwrap();
    let (text, audio, blank) = {
        let db = hc.state().db();
        let pick = |f: &dyn Fn(&Edition) -> bool| {
            db.editions.values().find(|e| f(e)).cloned().expect("the seed has this kind of edition")
        };
        (
            pick(&|e| e.reading_format_id == 1 && e.pages.is_some()),
            pick(&|e| e.reading_format_id == 2),
            pick(&|e| e.pages.is_none() && e.audio_seconds.is_none()),
        )
    };
    let cases = [
        (&text, json!({"progress_pages": text.pages.unwrap() / 4}), 25.0, "pages on a text edition"),
        (&audio, json!({"progress_seconds": audio.audio_seconds.unwrap() / 2}), 50.0, "seconds on an audio edition"),
        (&audio, json!({"progress_pages": 100}), 0.0, "pages on an audio edition count for nothing"),
        (&blank, json!({"progress_pages": 100}), 0.0, "an edition without pages or seconds shows 0%"),
    ];
    for (edition, mut dates, expected, what) in cases {
        let existing = hc.state().db().user_book_for(reader, edition.book_id).map(|u| u.id);
        let ub = match existing {
            Some(id) => id,
            None => insert(&hc, edition.book_id, 1).await,
        };
        dates["edition_id"] = json!(edition.id);
        let q = "mutation($ub: Int!, $r: DatesReadInput!) { insert_user_book_read(user_book_id: $ub, user_book_read: $r) { error user_book_read { progress } } }";
        let a = gql(&hc, q, json!({"ub": ub, "r": dates})).await;
        let p = a.data()["insert_user_book_read"]["user_book_read"]["progress"].as_f64().unwrap();
        assert!((p - expected).abs() < 0.5, "progress for {what} must be about {expected}%, got {p}");
    }
}
