//! Auth, scopes, the top-level field cap and the rate limiter, as HTTP answers.

use std::time::Duration;

use hardcover_sync_emulators::hardcover::{Grant, Limits};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn more_than_five_top_level_fields_is_forbidden_and_aliases_count() {
    let hc = start().await;
    let five = "{ a: me { id } b: me { id } c: me { id } d: me { id } e: me { id } }";
    assert_eq!(gql(&hc, five, json!({})).await.status, 200, "five top-level fields are allowed");
    let six = "{ a: me { id } b: me { id } c: me { id } d: me { id } e: me { id } f: me { id } }";
    let a = gql(&hc, six, json!({})).await;
    assert_eq!(a.status, 403, "six top-level fields (aliases count) must be refused");
    assert_eq!(a.body["error"], "top_level_limit_exceeded", "the refusal names top_level_limit_exceeded");
    let s = gql(&hc, "{ search(query: \"x\") { ids } me { id } }", json!({})).await;
    assert_eq!(
        (s.status, s.body["error"].clone()),
        (403, json!("top_level_limit_exceeded")),
        "search must be alone in its operation"
    );
    assert_eq!(hc.stats().field("me"), 5, "refused operations run nothing");
}

#[tokio::test]
async fn unknown_missing_and_expired_tokens_are_invalid_token() {
    let hc = start().await;
    let a = gql_as(&hc, "hc_pat_nope", "{ me { id } }", json!({})).await;
    assert_eq!(
        (a.status, a.body["error"].clone()),
        (401, json!("invalid_token")),
        "an unknown token is 401 invalid_token"
    );
    assert!(a.body["error_description"].is_string(), "401 carries an error_description");
    hc.tokens().insert(
        "hc_at_short",
        Grant { user_id: hc.user_id("reader").unwrap(), scopes: vec!["read:me:content".into()], expires_at: None },
    );
    assert_eq!(gql_as(&hc, "hc_at_short", "{ me { id } }", json!({})).await.status, 200, "a live OAuth token works");
    hc.tokens().expire("hc_at_short");
    assert_eq!(gql_as(&hc, "hc_at_short", "{ me { id } }", json!({})).await.status, 401, "an expired token is 401");
    let bare =
        reqwest::Client::new().post(hc.graphql_url()).json(&json!({"query": "{ me { id } }"})).send().await.unwrap();
    assert_eq!(bare.status().as_u16(), 401, "no Authorization header is 401");
}

#[tokio::test]
async fn each_kind_of_field_needs_its_scope() {
    let hc = start().await;
    let reader = hc.user_id("reader").unwrap();
    hc.tokens().insert_personal("hc_pat_readonly", reader, &["read:me:content", "read:catalog", "read:library"]);
    hc.tokens().insert_personal("hc_pat_catalog", reader, &["read:catalog"]);
    let w = gql_as(
        &hc,
        "hc_pat_readonly",
        "mutation { update_user_book(id: 1, object: {status_id: 2}) { error } }",
        json!({}),
    )
    .await;
    assert_eq!(
        (w.status, w.body["error"].clone(), w.body["scope"].clone()),
        (403, json!("insufficient_scope"), json!("write:library")),
        "writing the library needs write:library"
    );
    let l = gql_as(
        &hc,
        "hc_pat_readonly",
        "mutation { insert_list_book(object: {list_id: 1, book_id: 1}) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(l.body["scope"], "write:lists", "list rows need write:lists");
    let me = gql_as(&hc, "hc_pat_catalog", "{ me { id } }", json!({})).await;
    assert_eq!((me.status, me.body["scope"].clone()), (403, json!("read:me:content")), "me needs read:me:content");
    let ub = gql_as(&hc, "hc_pat_catalog", "{ user_books(limit: 1) { id } }", json!({})).await;
    assert_eq!(ub.body["scope"], "read:library", "user_books need read:library");
    assert_eq!(
        gql_as(&hc, "hc_pat_catalog", "{ books(limit: 1) { id } }", json!({})).await.status,
        200,
        "the catalog needs only read:catalog"
    );
}

#[tokio::test]
async fn every_answer_carries_rate_limit_headers() {
    let hc = start_with(Limits::default()).await;
    let a = gql(&hc, "{ me { id } }", json!({})).await;
    assert_eq!(
        a.header("ratelimit-policy").as_deref(),
        Some("\"Free\";q=60;w=60;burst=10, \"daily\";q=5000;w=86400"),
        "RateLimit-Policy describes the free plan"
    );
    assert!(
        a.header("ratelimit").unwrap().starts_with("\"Free\";r=9;t="),
        "one field leaves 9 of a burst of 10: {:?}",
        a.header("ratelimit")
    );
    assert!(a.header("ratelimit").unwrap().contains("\"daily\";r=4999;"), "the daily budget drops by one");
    assert_eq!(
        a.header("x-ratelimit-limit").as_deref(),
        Some("60"),
        "legacy X-RateLimit-Limit is the per-minute quota"
    );
    let err = gql_as(&hc, TOKEN, "{ nope { id } }", json!({})).await;
    assert!(err.header("ratelimit").is_some(), "error answers carry the headers too");
    // A slow refill (1/min) so the count below cannot be blurred by a busy machine.
    let slow = start_with(Limits { per_minute: 1, ..Limits::default() }).await;
    let b = gql(&slow, "{ a: me { id } b: me { id } c: me { id } }", json!({})).await;
    assert_eq!(b.header("x-ratelimit-remaining").as_deref(), Some("7"), "every top-level field costs one request");
}

#[tokio::test]
async fn past_the_burst_answers_429_with_retry_after() {
    let hc = start_with(Limits { burst: 3, per_minute: 30, ..Limits::default() }).await;
    for i in 0..3 {
        assert_eq!(gql(&hc, "{ me { id } }", json!({})).await.status, 200, "request {i} fits in the burst of 3");
    }
    let a = gql(&hc, "{ me { id } }", json!({})).await;
    assert_eq!(a.status, 429, "the 4th request past a burst of 3 is refused");
    let wait: u64 =
        a.header("retry-after").expect("a 429 carries Retry-After").parse().expect("Retry-After is whole seconds");
    assert!((1..=2).contains(&wait), "at 30/min one request frees up within 2 s, Retry-After said {wait}");
    assert_eq!(a.body["error"], "too_many_requests", "the 429 body says too_many_requests");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(gql(&hc, "{ me { id } }", json!({})).await.status, 200, "after Retry-After the request passes");
    assert_eq!(hc.stats().status(429), 1, "stats count the 429");
}

#[tokio::test]
async fn the_daily_budget_runs_out() {
    let hc = start_with(Limits { daily: 4, ..Limits::unlimited() }).await;
    assert_eq!(
        gql(&hc, "{ a: me { id } b: me { id } c: me { id } d: me { id } }", json!({})).await.status,
        200,
        "4 of 4 daily requests pass"
    );
    let a = gql(&hc, "{ me { id } }", json!({})).await;
    assert_eq!(a.status, 429, "the daily quota is spent");
    let wait: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 86_000, "the wait runs to the end of the day window, got {wait}");
    let other = gql_as(&hc, OTHER_TOKEN, "{ me { id } }", json!({})).await;
    assert_eq!(other.status, 200, "budgets are per user");
}
