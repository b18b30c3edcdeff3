//! Latency, injected failures and the request counters.

use std::time::{Duration, Instant};

use hardcover_sync_emulators::hardcover::Fault;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn latency_delays_every_answer() {
    let hc = start().await;
    hc.knobs().set_latency(Duration::from_millis(150));
    let t = Instant::now();
    gql(&hc, "{ me { id } }", json!({})).await.data();
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "a 150 ms latency knob must delay the answer, took {:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn scripted_faults_fail_the_next_requests_then_stop() {
    let hc = start().await;
    hc.knobs().fail_next(1, Fault::Status(503));
    hc.knobs().fail_next(1, Fault::RateLimited { retry_after: 7 });
    assert_eq!(gql(&hc, "{ me { id } }", json!({})).await.status, 503, "the first scripted fault is a 503");
    let r = gql(&hc, "{ me { id } }", json!({})).await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7".into())), "an injected 429 carries its Retry-After");
    gql(&hc, "{ me { id } }", json!({})).await.data();
    let s = hc.stats();
    assert_eq!(
        (s.status(503), s.status(429), s.status(200), s.faults_injected),
        (1, 1, 1, 2),
        "stats count each answer and fault"
    );
    assert_eq!(s.field("me"), 1, "faulted requests run no field");
}

#[tokio::test]
async fn drops_and_timeouts_fail_on_the_client_side() {
    let hc = start().await;
    hc.knobs().fail_next(1, Fault::Drop);
    let client = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let send = || client.post(hc.graphql_url()).bearer_auth(TOKEN).json(&json!({"query": "{ me { id } }"})).send();
    let dropped = match send().await {
        Ok(r) => r.text().await.is_err(),
        Err(_) => true,
    };
    assert!(dropped, "a dropped connection must fail while reading the answer");
    hc.knobs().fail_next(1, Fault::Timeout(Duration::from_secs(2)));
    let err = send().await.expect_err("a stalled answer must hit the client's timeout");
    assert!(err.is_timeout(), "the failure is a timeout: {err}");
}

#[tokio::test]
async fn stats_are_readable_and_resettable_over_http() {
    let hc = start().await;
    gql(&hc, "{ me { id } books(limit: 1) { id } }", json!({})).await.data();
    gql(&hc, "{ me { id } }", json!({})).await.data();
    let http = reqwest::Client::new();
    let s: Value = http.get(format!("{}/__emulator/stats", hc.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(s["requests"], 2, "two GraphQL requests were made");
    assert_eq!(s["top_level_fields"], json!({"me": 2, "books": 1}), "fields are counted by name");
    assert_eq!(s["status_codes"]["200"], 2, "status codes are counted");
    http.post(format!("{}/__emulator/reset", hc.base_url())).send().await.unwrap();
    assert_eq!(hc.stats().requests, 0, "reset zeroes the counters");
    let t = http
        .post(format!("{}/__emulator/today", hc.base_url()))
        .json(&json!({"today": "2027-01-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(t.status().as_u16(), 200, "today can be set over HTTP");
    assert_eq!(hc.state().db().today.to_string(), "2027-01-02", "the emulator clock moved");
}

#[tokio::test]
async fn extra_routes_share_the_port_and_the_token_registry() {
    use hardcover_sync_emulators::hardcover::{HardcoverEmulator, TokenRegistry};
    let registry = TokenRegistry::default();
    let issued = registry.clone();
    // Stands in for the OAuth router: it issues a token the GraphQL side must then accept.
    let extra = axum::Router::new().route(
        "/oauth2/token",
        axum::routing::post(move || {
            let issued = issued.clone();
            async move {
                issued.insert_personal("hc_at_issued", 1001, &["read:me:content"]);
                "ok"
            }
        }),
    );
    let hc =
        HardcoverEmulator::builder().user("reader").token_registry(registry).extra_routes(extra).start().await.unwrap();
    let r = reqwest::Client::new().post(format!("{}/oauth2/token", hc.base_url())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "extra routes are served on the emulator's port");
    let a = gql_as(&hc, "hc_at_issued", "{ me { username } }", json!({})).await;
    assert_eq!(a.data()["me"][0]["username"], "reader", "a token issued by an extra route is accepted by GraphQL");
}

#[tokio::test]
async fn knobs_can_be_set_over_http() {
    let hc = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/__emulator/knobs", hc.base_url());
    let r = http.post(&url).json(&json!({"fail_next": {"count": 2, "fault": "502"}})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "the knobs endpoint accepts fail_next");
    assert_eq!(gql(&hc, "{ me { id } }", json!({})).await.status, 502, "the first scripted fault answers 502");
    http.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(
        gql(&hc, "{ me { id } }", json!({})).await.status,
        200,
        "an empty knobs object clears the remaining faults"
    );
    let bad = http.post(&url).json(&json!({"fault_rate": 0.5, "faults": ["teapot"]})).send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400, "an unknown fault name is refused");
}
