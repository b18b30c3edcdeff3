//! Starting an emulator and talking GraphQL to it.

use chrono::NaiveDate;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, RunningHardcover, SeedSpec};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const TOKEN: &str = "hc_pat_reader";
pub const OTHER_TOKEN: &str = "hc_pat_other";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

/// A small seeded library for "reader" (and a second user "other"), limits lifted.
pub async fn start() -> RunningHardcover {
    start_with(Limits::unlimited()).await
}

pub async fn start_with(limits: Limits) -> RunningHardcover {
    HardcoverEmulator::builder()
        .library(SeedSpec { books: 200, seed: 7, ..SeedSpec::default() })
        .today(today())
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .user("other")
        .personal_token(OTHER_TOKEN, ALL_SCOPES)
        .limits(limits)
        .start()
        .await
        .expect("the emulator must start on a free loopback port")
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// `data` of a successful answer; panics with the body otherwise.
    pub fn data(&self) -> &Value {
        assert_eq!(self.status, 200, "expected HTTP 200, got {}: {}", self.status, self.body);
        assert!(self.body.get("errors").is_none(), "expected no GraphQL errors, got {}", self.body);
        &self.body["data"]
    }

    pub fn error_message(&self) -> String {
        self.body["errors"][0]["message"].as_str().unwrap_or_default().to_string()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(String::from)
    }
}

pub async fn gql_as(hc: &RunningHardcover, token: &str, query: &str, variables: Value) -> Answer {
    let response = reqwest::Client::new()
        .post(hc.graphql_url())
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("the emulator must answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a complete body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer { status, headers, body }
}

pub async fn gql(hc: &RunningHardcover, query: &str, variables: Value) -> Answer {
    gql_as(hc, TOKEN, query, variables).await
}

/// The id of one of reader's books not yet on their shelf.
pub fn book_not_on_shelf(hc: &RunningHardcover) -> i64 {
    let reader = hc.user_id("reader").unwrap();
    let db = hc.state().db();
    *db.books
        .keys()
        .find(|b| db.user_book_for(reader, **b).is_none())
        .expect("the seed leaves some books off the shelf")
}
