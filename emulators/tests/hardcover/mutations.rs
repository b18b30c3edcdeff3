//! Mutation payloads: `error` strings, ownership, reads and list rows.

use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn payload_errors_report_duplicates_and_unknown_ids() {
    let hc = start().await;
    let reader = hc.user_id("reader").unwrap();
    let owned = hc.state().db().user_books_of(reader)[0].clone();
    let q = "mutation($o: UserBookCreateInput!) { insert_user_book(object: $o) { id error } }";
    let dup = gql(&hc, q, json!({"o": {"book_id": owned.book_id, "status_id": 1}})).await;
    assert!(
        dup.data()["insert_user_book"]["error"].is_string(),
        "inserting a book already on the shelf must carry an error"
    );
    assert_eq!(dup.data()["insert_user_book"]["id"], Value::Null, "a failed insert has no id");
    let unknown = gql(&hc, q, json!({"o": {"book_id": 1, "status_id": 1}})).await;
    assert!(unknown.data()["insert_user_book"]["error"].is_string(), "an unknown book id must carry an error");
    let other_edition = hc.state().db().editions.values().find(|e| e.book_id != owned.book_id).unwrap().id;
    let upd = "mutation($id: Int!, $o: UserBookUpdateInput!) { update_user_book(id: $id, object: $o) { id error } }";
    let wrong = gql(&hc, upd, json!({"id": owned.id, "o": {"edition_id": other_edition}})).await;
    assert!(wrong.data()["update_user_book"]["error"].is_string(), "an edition of another book must be refused");
    let foreign = gql_as(&hc, OTHER_TOKEN, upd, json!({"id": owned.id, "o": {"status_id": 5}})).await;
    assert!(foreign.data()["update_user_book"]["error"].is_string(), "another user's user_book cannot be changed");
    assert_eq!(hc.state().db().user_books[&owned.id].status_id, owned.status_id, "a refused update changes nothing");
    let rated = gql(&hc, upd, json!({"id": owned.id, "o": {"rating": "3.5"}})).await;
    assert_eq!(rated.data()["update_user_book"]["error"], Value::Null, "a numeric rating may come as a string");
    assert_eq!(hc.state().db().user_books[&owned.id].rating, Some(3.5), "the string rating is stored as a number");
    let q = "query($id: Int!) { user_books_by_pk(id: $id) { rating starred review_slate } }";
    let row = gql(&hc, q, json!({"id": owned.id})).await;
    assert_eq!(row.data()["user_books_by_pk"]["rating"], json!(3.5), "numeric ratings are JSON numbers");
    assert_eq!(
        row.data()["user_books_by_pk"]["starred"],
        json!(false),
        "unmodelled columns answer with Hardcover's defaults"
    );
    let bad_key = gql(&hc, upd, json!({"id": owned.id, "o": {"user_id": 5}})).await;
    assert!(bad_key.error_message().contains("user_id"), "input keys outside the input type are validation errors");
}

#[tokio::test]
async fn reads_can_be_inserted_updated_upserted_and_deleted() {
    let hc = start().await;
    let book = book_not_on_shelf(&hc);
    let a = gql(
        &hc,
        "mutation($b: Int!) { insert_user_book(object: {book_id: $b, status_id: 1}) { id } }",
        json!({"b": book}),
    )
    .await;
    let ub = a.data()["insert_user_book"]["id"].as_i64().unwrap();
    let ins = gql(&hc, "mutation($ub: Int!) { insert_user_book_read(user_book_id: $ub, user_book_read: {started_at: \"2026-01-02\", progress_pages: 10}) { id error user_book_read { started_at progress_pages } } }", json!({"ub": ub})).await;
    let p = &ins.data()["insert_user_book_read"];
    assert_eq!(
        (p["error"].clone(), p["user_book_read"]["started_at"].clone()),
        (Value::Null, json!("2026-01-02")),
        "a read is inserted with its dates"
    );
    let id = p["id"].as_i64().unwrap();
    let bad = gql(
        &hc,
        "mutation($id: Int!) { update_user_book_read(id: $id, object: {finished_at: \"2025-12-01\"}) { error } }",
        json!({"id": id}),
    )
    .await;
    assert!(bad.data()["update_user_book_read"]["error"].is_string(), "a finish before the start is refused");
    let up = gql(&hc, "mutation($ub: Int!, $id: Int!) { upsert_user_book_reads(user_book_id: $ub, datesRead: [{id: $id, finished_at: \"2026-01-20\"}, {started_at: \"2026-03-01\"}]) { error user_book_id user_book { read_count } } }", json!({"ub": ub, "id": id})).await;
    let u = &up.data()["upsert_user_book_reads"];
    assert_eq!(u["error"], Value::Null, "upsert succeeds");
    assert_eq!(u["user_book"]["read_count"], 1, "read_count counts finished reads");
    assert_eq!(hc.state().db().reads_of(ub).len(), 2, "upsert updated one read and inserted another");
    let stranger = gql_as(
        &hc,
        OTHER_TOKEN,
        "mutation($id: Int!) { delete_user_book_read(id: $id) { id error } }",
        json!({"id": id}),
    )
    .await;
    assert!(stranger.data()["delete_user_book_read"]["error"].is_string(), "another user cannot delete the read");
    let del = gql(&hc, "mutation($id: Int!) { delete_user_book_read(id: $id) { id error } }", json!({"id": id})).await;
    assert_eq!(del.data()["delete_user_book_read"]["id"], json!(id), "the owner deletes the read");
    assert_eq!(hc.state().db().reads_of(ub).len(), 1, "one read is left");
}

#[tokio::test]
async fn list_books_are_added_once_and_removed() {
    let hc = start().await;
    let reader = hc.user_id("reader").unwrap();
    let list = hc.state().db().lists_of(reader).iter().find(|l| l.name == "Empty Shelf").unwrap().id;
    let book = book_not_on_shelf(&hc);
    let add = "mutation($l: Int!, $b: Int!) { insert_list_book(object: {list_id: $l, book_id: $b}) { id list_book { position book { id } } } }";
    let a = gql(&hc, add, json!({"l": list, "b": book})).await;
    let id = a.data()["insert_list_book"]["id"].as_i64().unwrap();
    assert_eq!(a.data()["insert_list_book"]["list_book"]["book"]["id"], json!(book), "the list row holds the book");
    let again = gql(&hc, add, json!({"l": list, "b": book})).await;
    assert_eq!(
        again.data()["insert_list_book"]["id"],
        json!(id),
        "adding the same book again answers with the existing row"
    );
    let foreign = gql_as(&hc, OTHER_TOKEN, add, json!({"l": list, "b": book})).await;
    assert!(foreign.body.get("errors").is_some(), "another user cannot add to this list");
    let d = gql(
        &hc,
        "mutation($id: Int!) { delete_list_book(id: $id) { id list_id list { books_count } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(d.data()["delete_list_book"]["list"]["books_count"], 0, "the list is empty again");
}
