//! The reading journal (`insert/update/delete_reading_journal`, `reading_journals`) and
//! `edition_owned`, as the published schema has them.

use serde_json::{Value, json};

use crate::support::*;

const INSERT: &str = "mutation($o: ReadingJournalCreateType!) { insert_reading_journal(object: $o) { id errors } }";
const UPDATE: &str =
    "mutation($id: Int!, $o: ReadingJournalUpdateType!) { update_reading_journal(id: $id, object: $o) { id errors } }";
const READ: &str = "query($b: Int!) { reading_journals(where: {book_id: {_eq: $b}, event: {_eq: \"quote\"}}) { id entry action_at privacy_setting_id metadata edition_id } }";

#[tokio::test]
async fn a_quote_is_inserted_read_back_updated_and_deleted() {
    let hc = start().await;
    let book = book_not_on_shelf(&hc);
    let edition = hc.state().db().editions.values().find(|e| e.book_id == book).unwrap().id;
    let o = json!({"book_id": book, "edition_id": edition, "event": "quote", "entry": "A line worth keeping",
                   "action_at": "2026-06-10", "privacy_setting_id": 3, "tags": [],
                   "metadata": {"position": {"type": "pages", "value": 12, "possible": 300, "percent": 4}}});
    let ins = gql(&hc, INSERT, json!({"o": o})).await;
    assert_eq!(ins.data()["insert_reading_journal"]["errors"], Value::Null, "a valid quote is accepted");
    let id = ins.data()["insert_reading_journal"]["id"].as_i64().expect("the new entry's id");

    let rows = gql(&hc, READ, json!({"b": book})).await;
    let row = &rows.data()["reading_journals"][0];
    assert_eq!(row["entry"], json!("A line worth keeping"));
    assert_eq!(row["privacy_setting_id"], json!(3), "a private entry stays private");
    assert_eq!(row["metadata"]["position"]["value"], json!(12), "metadata is stored as given");
    assert!(row["action_at"].as_str().unwrap().starts_with("2026-06-10"), "action_at is the day given");
    let others = gql_as(&hc, OTHER_TOKEN, READ, json!({"b": book})).await;
    assert_eq!(others.data()["reading_journals"], json!([]), "another user does not read this user's private entries");

    let upd = gql(&hc, UPDATE, json!({"id": id, "o": {"entry": "A line worth keeping\n\n---\n\nedited"}})).await;
    assert_eq!(upd.data()["update_reading_journal"]["errors"], Value::Null, "the owner may edit the entry");
    let rows = gql(&hc, READ, json!({"b": book})).await;
    assert_eq!(rows.data()["reading_journals"].as_array().unwrap().len(), 1, "an update changes the entry, adds none");
    assert!(rows.data()["reading_journals"][0]["entry"].as_str().unwrap().ends_with("edited"));
    let foreign = gql_as(&hc, OTHER_TOKEN, UPDATE, json!({"id": id, "o": {"entry": "x"}})).await;
    assert!(foreign.data()["update_reading_journal"]["errors"].is_array(), "another user's entry cannot be edited");

    let del = gql(&hc, "mutation($id: Int!) { delete_reading_journal(id: $id) { id } }", json!({"id": id})).await;
    assert_eq!(del.data()["delete_reading_journal"]["id"], json!(id));
    assert_eq!(gql(&hc, READ, json!({"b": book})).await.data()["reading_journals"], json!([]), "deleted means gone");
}

#[tokio::test]
async fn bad_journal_input_is_refused() {
    let hc = start().await;
    let book = book_not_on_shelf(&hc);
    let no_tags = gql(&hc, INSERT, json!({"o": {"book_id": book, "event": "quote", "privacy_setting_id": 3}})).await;
    assert!(no_tags.error_message().contains("tags"), "tags is required ([BasicTag]!): {}", no_tags.body);
    let unknown =
        gql(&hc, INSERT, json!({"o": {"book_id": 1, "event": "quote", "privacy_setting_id": 3, "tags": []}})).await;
    assert!(unknown.data()["insert_reading_journal"]["errors"].is_array(), "an unknown book is refused in errors");
    let bad_key = gql(
        &hc,
        INSERT,
        json!({"o": {"book_id": book, "event": "quote", "privacy_setting_id": 3, "tags": [], "user_id": 9}}),
    )
    .await;
    assert!(bad_key.error_message().contains("user_id"), "keys outside ReadingJournalCreateType are validation errors");
}

#[tokio::test]
async fn edition_owned_puts_the_edition_on_the_owned_list_once() {
    let hc = start().await;
    let edition = *hc.state().db().editions.keys().next().unwrap();
    let q = "mutation($id: Int!) { edition_owned(id: $id) { id list_book { edition_id list { name } } } }";
    let first = gql(&hc, q, json!({"id": edition})).await;
    let id = first.data()["edition_owned"]["id"].as_i64().expect("a list_book id");
    assert_eq!(first.data()["edition_owned"]["list_book"]["edition_id"], json!(edition));
    assert_eq!(first.data()["edition_owned"]["list_book"]["list"]["name"], json!("Owned"));
    let again = gql(&hc, q, json!({"id": edition})).await;
    assert_eq!(again.data()["edition_owned"]["id"], json!(id), "marking owned twice must not add the edition twice");
    let missing = gql(&hc, q, json!({"id": 1})).await;
    assert!(missing.error_message().contains("not found"), "an unknown edition is an error");
}
