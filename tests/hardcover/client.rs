//! `HardcoverClient` against small canned servers on loopback: auth, every error type, the rate
//! limiter, batching and paging.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hardcover_sync::hardcover::{
    DatesRead, HardcoverClient, HardcoverError, LimiterConfig, RateLimiter, ReadingFormat, ReadingStatus, StaticToken,
    TokenError, TokenProvider, UserBookChanges,
};
use hardcover_sync::secret::Secret;
use hardcover_sync_emulators::server::RunningServer;
use serde_json::{Value, json};
use url::Url;

use super::validate::top_level_fields;

const TOKEN: &str = "hc_pat_test_secret_value";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    user_agent: Option<String>,
    body: Value,
    /// Top-level fields (aliases included) of the operation sent, counted by parsing it.
    fields: Vec<String>,
    at: Instant,
}

impl Seen {
    fn var(&self, name: &str) -> &Value {
        &self.body["variables"][name]
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Option<Duration>,
}

impl Reply {
    fn data(data: Value) -> Self {
        Self::json(200, json!({ "data": data }))
    }
    fn json(status: u16, body: Value) -> Self {
        Self { status, headers: vec![], body: body.to_string(), delay: None }
    }
    fn header(mut self, k: &'static str, v: &str) -> Self {
        self.headers.push((k, v.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

struct Inner {
    seen: Mutex<Vec<Seen>>,
    handler: Box<Handler>,
}

struct Fake {
    server: RunningServer,
    inner: Arc<Inner>,
}

impl Fake {
    /// Serve `handler(request, index)` on `POST /v1/graphql`.
    async fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        let inner = Arc::new(Inner { seen: Mutex::new(Vec::new()), handler: Box::new(handler) });
        let router = axum::Router::new().route("/v1/graphql", axum::routing::post(handle)).with_state(inner.clone());
        let server = RunningServer::serve(router, 0).await.expect("bind loopback");
        Self { server, inner }
    }

    fn url(&self) -> Url {
        Url::parse(&format!("{}/v1/graphql", self.server.base_url())).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }
}

async fn handle(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: String) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let query = body["query"].as_str().unwrap_or_default();
    let fields = top_level_fields(query, body["operationName"].as_str()).unwrap_or_default();
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let seen =
        Seen { authorization: h("authorization"), user_agent: h("user-agent"), body, fields, at: Instant::now() };
    let index = {
        let mut all = inner.seen.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    let reply = (inner.handler)(&seen, index);
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut resp = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    resp.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    for (k, v) in reply.headers {
        resp.headers_mut().insert(HeaderName::from_static(k), HeaderValue::from_str(&v).unwrap());
    }
    resp
}

/// A limiter generous enough that tests not about limits never wait.
fn roomy_limiter() -> Arc<RateLimiter> {
    Arc::new(RateLimiter::new(LimiterConfig { per_window: 6_000, burst: 100, ..LimiterConfig::default() }))
}

fn client_with(fake: &Fake, tokens: Arc<dyn TokenProvider>) -> HardcoverClient {
    HardcoverClient::new(fake.url(), tokens).unwrap().with_limiter(roomy_limiter())
}

fn client(fake: &Fake) -> HardcoverClient {
    client_with(fake, Arc::new(StaticToken::new(format!("Bearer {TOKEN}"))))
}

fn me_data() -> Value {
    json!({"me": [{"id": 42, "username": "reader", "image": {"url": "https://img/u.png"}}]})
}

/// An OAuth-like provider: hands out `next` once when told the token was rejected.
struct Rotating {
    current: Mutex<String>,
    next: Mutex<Option<String>>,
    refreshes: AtomicUsize,
}

impl Rotating {
    fn new(current: &str, next: Option<&str>) -> Arc<Self> {
        Arc::new(Self {
            current: Mutex::new(current.into()),
            next: Mutex::new(next.map(String::from)),
            refreshes: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl TokenProvider for Rotating {
    async fn access_token(&self) -> Result<Secret, TokenError> {
        Ok(Secret::new(self.current.lock().unwrap().clone()))
    }
    async fn refresh_after_unauthorized(&self, _rejected: &Secret) -> Result<Secret, TokenError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        match self.next.lock().unwrap().take() {
            Some(t) => {
                *self.current.lock().unwrap() = t.clone();
                Ok(Secret::new(t))
            }
            None => Err(TokenError::ReconnectNeeded("the refresh token was revoked".into())),
        }
    }
}

fn assert_no_token(e: &HardcoverError) {
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(TOKEN) && !text.contains("hc_at_"), "an error must never contain the token: {text}");
    }
}

#[tokio::test]
async fn sends_bearer_token_and_user_agent() {
    let fake = Fake::start(|_, _| Reply::data(me_data())).await;
    let me = client(&fake).me().await.expect("me");
    assert_eq!(
        (me.id, me.username.as_deref(), me.image_url.as_deref()),
        (42, Some("reader"), Some("https://img/u.png"))
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str()),
        "the pasted `Bearer …` token is sent once-prefixed as Authorization"
    );
    assert_eq!(seen[0].user_agent.as_deref(), Some(hardcover_sync::USER_AGENT), "every request names the app");
    assert_eq!(seen[0].body["operationName"], "Me");
}

#[tokio::test]
async fn unauthorized_refreshes_once_and_retries_once() {
    let fake = Fake::start(|seen, _| {
        if seen.authorization.as_deref() == Some("Bearer hc_at_new") {
            Reply::data(me_data())
        } else {
            Reply::json(401, json!({"error": "invalid_token", "error_description": "expired"}))
        }
    })
    .await;
    let tokens = Rotating::new("hc_at_old", Some("hc_at_new"));
    let me = client_with(&fake, tokens.clone()).me().await.expect("a refreshed token must be retried");
    assert_eq!(me.id, 42);
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1, "a 401 triggers exactly one refresh");
    assert_eq!(fake.seen().len(), 2, "one request, one retry");
}

#[tokio::test]
async fn unauthorized_twice_means_reconnect() {
    let fake = Fake::start(|_, _| Reply::json(401, json!({"error": "invalid_token"}))).await;
    let tokens = Rotating::new("hc_at_old", Some("hc_at_new"));
    let err = client_with(&fake, tokens.clone()).me().await.expect_err("a token rejected twice must fail");
    assert!(matches!(err, HardcoverError::Unauthorized), "{err:?}");
    assert!(err.needs_reconnect(), "two 401s mean the user must reconnect");
    assert_eq!(fake.seen().len(), 2, "401s are retried once, never more (retrying burns quota)");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    assert_no_token(&err);

    // A pasted token cannot be refreshed: one request, then "reconnect".
    let fake = Fake::start(|_, _| Reply::json(401, json!({"error": "invalid_token"}))).await;
    let err = client(&fake).me().await.expect_err("a rejected pasted token must fail");
    assert!(err.needs_reconnect(), "{err:?}");
    assert!(matches!(err, HardcoverError::Token(TokenError::ReconnectNeeded(_))), "{err:?}");
    assert_eq!(fake.seen().len(), 1, "a static token is not retried");
    assert_no_token(&err);
}

#[tokio::test]
async fn invalid_jwt_on_http_200_is_treated_as_401() {
    let fake = Fake::start(|seen, _| {
        if seen.authorization.as_deref() == Some("Bearer hc_at_new") {
            Reply::data(me_data())
        } else {
            Reply::json(
                200,
                json!({"errors": [{"message": "Could not verify JWT", "extensions": {"code": "invalid-jwt"}}]}),
            )
        }
    })
    .await;
    let tokens = Rotating::new("hc_at_old", Some("hc_at_new"));
    client_with(&fake, tokens.clone()).me().await.expect("Hasura's invalid-jwt must lead to a refresh");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn insufficient_scope_names_the_scope() {
    let fake = Fake::start(|_, _| {
        Reply::json(
            403,
            json!({"error": "insufficient_scope", "error_description": "missing scope", "scope": "write:library"}),
        )
    })
    .await;
    let err = client(&fake).delete_user_book(5).await.expect_err("403 must fail");
    match &err {
        HardcoverError::InsufficientScope { scope } => assert_eq!(scope, "write:library"),
        other => panic!("403 insufficient_scope must be InsufficientScope, got {other:?}"),
    }
    assert!(err.to_string().contains("write:library"), "the message names the scope to grant: {err}");
    assert!(err.needs_reconnect());
    assert_no_token(&err);
}

#[tokio::test]
async fn top_level_limit_is_its_own_error() {
    let fake = Fake::start(|_, _| Reply::json(403, json!({"error": "top_level_limit_exceeded"}))).await;
    let err = client(&fake).me().await.expect_err("403 must fail");
    assert!(matches!(err, HardcoverError::TopLevelLimit), "{err:?}");
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_same_operation_sent_again() {
    let fake = Fake::start(|_, i| {
        if i == 0 {
            Reply::json(429, json!({"error": "too many requests"})).header("retry-after", "1")
        } else {
            Reply::data(me_data())
        }
    })
    .await;
    let c = HardcoverClient::new(fake.url(), Arc::new(StaticToken::new(TOKEN))).unwrap();
    let me = c.me().await.expect("a 429 with a short Retry-After must be waited out, not returned");
    assert_eq!(me.id, 42);
    let seen = fake.seen();
    assert_eq!(seen.len(), 2, "the refused operation is sent once more, and only once");
    assert_eq!(seen[0].body, seen[1].body, "the retry must be the same operation");
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "the retry must wait Retry-After (waited {gap:?})");
}

#[tokio::test]
async fn a_429_asking_for_longer_than_the_bound_is_returned_at_once() {
    let fake =
        Fake::start(|_, _| Reply::json(429, json!({"error": "too many requests"})).header("retry-after", "3600")).await;
    let c = HardcoverClient::new(fake.url(), Arc::new(StaticToken::new(TOKEN))).unwrap();
    let started = std::time::Instant::now();
    let err = c.me().await.expect_err("an hour-long Retry-After must not be waited out");
    match err {
        HardcoverError::RateLimited { retry_after } => {
            assert_eq!(retry_after, Duration::from_secs(3600), "Retry-After is reported for the caller to defer")
        }
        other => panic!("429 must be RateLimited, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5), "nobody waits an hour inside one request");
    assert!(c.limiter().snapshot().blocked_for.is_some(), "after a 429 the limiter holds requests back");
    assert_eq!(fake.seen().len(), 1, "nothing is sent again during the hold");
}

#[tokio::test]
async fn hostile_rate_limit_headers_neither_crash_nor_wedge_the_client() {
    let hostile: &[(&str, &str)] = &[
        ("retry-after", "1e20"),
        ("retry-after", "-1"),
        ("retry-after", "garbage"),
        ("ratelimit", r#""Free";r=0;t=18446744073709551615"#),
        ("ratelimit", r#""Free";r=0;t=-30"#),
        ("ratelimit", "\";;=,,\"r=x;t=y"),
        ("ratelimit-policy", r#""Free";q=1;w=99999999999999999999;burst=4294967296"#),
    ];
    for (name, value) in hostile {
        let (name, value) = (*name, *value);
        let sent = value.to_owned();
        let fake = Fake::start(move |_, i| {
            if name == "retry-after" && i == 0 {
                Reply::json(429, json!({"error": "too many requests"})).header(name, &sent)
            } else {
                Reply::data(me_data()).header(name, &sent)
            }
        })
        .await;
        // Waits beyond 5 s are returned rather than waited out, so an unreadable Retry-After (taken
        // as a minute) shows as a deferral instead of slowing the test down.
        let limiter = RateLimiter::new(LimiterConfig { max_wait: Duration::from_secs(5), ..LimiterConfig::default() });
        let c = HardcoverClient::new(fake.url(), Arc::new(StaticToken::new(TOKEN)))
            .unwrap()
            .with_limiter(Arc::new(limiter));
        let started = std::time::Instant::now();
        let first = tokio::time::timeout(Duration::from_secs(90), c.me()).await;
        assert!(first.is_ok(), "{name}: {value:?} must not hang a request");
        let second = tokio::time::timeout(Duration::from_secs(90), c.me()).await;
        assert!(second.is_ok(), "{name}: {value:?} must not hang the next request");
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(12), "{name}: {value:?} held two requests for {waited:?}");
        if let Ok(Err(e)) = &first {
            assert!(
                matches!(e, HardcoverError::RateLimited { .. }),
                "{name}: {value:?} may only defer the request, not break it: {e:?}"
            );
        }
    }
}

#[tokio::test]
async fn server_errors_are_transient() {
    let fake = Fake::start(|_, _| Reply::json(503, json!({"message": "retry later"}))).await;
    let err = client(&fake).me().await.expect_err("5xx must fail");
    assert!(matches!(err, HardcoverError::Server { status: 503, .. }), "{err:?}");
    assert!(err.is_transient() && !err.needs_reconnect(), "a 503 is retried later, no reconnect");
    assert_eq!(fake.seen().len(), 1, "a 5xx is not retried on the spot");
}

#[tokio::test]
async fn graphql_errors_on_200_are_errors() {
    let fake = Fake::start(|_, _| {
        Reply::json(200, json!({"errors": [{"message": "field \"user_books\" not found in type: 'query_root'"}]}))
    })
    .await;
    let err = client(&fake).user_books(1, None, 10, 0).await.expect_err("errors[] must fail");
    match &err {
        HardcoverError::GraphQl { messages } => assert!(messages[0].contains("not found in type"), "{messages:?}"),
        other => panic!("errors[] on HTTP 200 must be GraphQl, got {other:?}"),
    }
}

#[tokio::test]
async fn timeouts_and_unreachable_servers_are_offline_errors() {
    let fake = Fake::start(|_, _| Reply { delay: Some(Duration::from_secs(3)), ..Reply::data(me_data()) }).await;
    let c = client(&fake).with_timeouts(Duration::from_millis(300), Duration::from_millis(300)).unwrap();
    let err = c.me().await.expect_err("a slow server must time out");
    assert!(matches!(err, HardcoverError::Timeout), "{err:?}");

    let url = {
        let gone = Fake::start(|_, _| Reply::data(json!({}))).await;
        let url = gone.url();
        gone.server.stop().await;
        url
    };
    let err = HardcoverClient::new(url, Arc::new(StaticToken::new(TOKEN))).unwrap().me().await.expect_err("offline");
    assert!(matches!(err, HardcoverError::Network { .. }), "{err:?}");
    assert!(err.is_transient(), "offline is retried later");
    assert_no_token(&err);
}

#[tokio::test]
async fn mutation_error_is_never_success() {
    let fake = Fake::start(|seen, _| {
        let mut data = serde_json::Map::new();
        for (n, alias) in seen.fields.iter().enumerate() {
            let id = seen.var(&format!("id_{n}")).as_i64().unwrap_or(0);
            let payload = if id == 13 {
                json!({"id": null, "error": "Edition 999 does not belong to this book"})
            } else {
                json!({"id": id, "error": null})
            };
            data.insert(alias.clone(), payload);
        }
        Reply::data(Value::Object(data))
    })
    .await;
    let c = client(&fake);
    let err = c
        .update_user_book_read(13, DatesRead { progress_pages: Some(10), ..Default::default() })
        .await
        .expect_err("a non-null `error` must be a failure");
    match &err {
        HardcoverError::Mutation { field, message } => {
            assert_eq!(field, "update_user_book_read");
            assert!(message.contains("does not belong"), "Hardcover's reason is kept: {message}");
        }
        other => panic!("expected a Mutation error, got {other:?}"),
    }
    assert!(fake.seen()[0].body["query"].as_str().unwrap().contains("error"), "the payload's error field is selected");

    // The next change is an operation of its own, untouched by the failure before it.
    let ok = c
        .update_user_book(14, UserBookChanges { status: Some(ReadingStatus::Read), ..Default::default() })
        .await
        .expect("a valid change after a failed one succeeds");
    assert_eq!(ok, 14);
    let fields: Vec<usize> = fake.seen().iter().map(|s| s.fields.len()).collect();
    assert_eq!(fields, vec![1, 1], "each change goes as an operation of its own");
    assert_eq!(c.requests_sent(), 2, "each top-level field counts as a request");
}

fn edition_json(id: i64, isbn13: Option<&str>, asin: Option<&str>) -> Value {
    json!({
        "id": id, "book_id": id + 10_000, "title": "T", "pages": 320, "audio_seconds": null,
        "reading_format_id": if asin.is_some() { 2 } else { 1 }, "edition_format": "Paperback",
        "isbn_10": null, "isbn_13": isbn13, "asin": asin, "release_year": 2020, "image": {"url": "https://img/e.jpg"},
        "book": {"id": id + 10_000, "title": "Book", "subtitle": null, "slug": "book", "pages": 320,
                 "release_year": 2020, "cached_contributors": [{"author": {"name": "A. Author"}, "contribution": null}]}
    })
}

#[tokio::test]
async fn lookups_split_23_identifiers_into_operations_of_at_most_five_fields() {
    let fake = Fake::start(|seen, _| {
        let mut data = serde_json::Map::new();
        for (n, alias) in seen.fields.iter().enumerate() {
            let mut rows = Vec::new();
            if let Some(isbns) = seen.var(&format!("isbns_{n}")).as_array() {
                for i in isbns {
                    let s = i.as_str().unwrap();
                    rows.push(edition_json(s[8..].parse::<i64>().unwrap(), Some(s), None));
                }
            }
            if let Some(asins) = seen.var(&format!("asins_{n}")).as_array() {
                for a in asins {
                    rows.push(edition_json(777, None, Some(a.as_str().unwrap())));
                }
            }
            data.insert(alias.clone(), Value::Array(rows));
        }
        Reply::data(Value::Object(data))
    })
    .await;
    let isbns = crate::support::isbn13s(23);
    let c = client(&fake).with_ids_per_field(4);
    let editions = c.editions_by_identifiers(&isbns, &["B00ABCDEFG"]).await.expect("lookup");
    let seen = fake.seen();
    assert!(seen.iter().all(|s| s.fields.len() <= 5), "no operation may have more than 5 top-level fields");
    assert_eq!(seen.iter().map(|s| s.fields.len()).collect::<Vec<_>>(), vec![5, 2], "6 ISBN fields + 1 ASIN field");
    let mut sent: Vec<String> = seen
        .iter()
        .flat_map(|s| s.body["variables"].as_object().unwrap().iter())
        .filter(|(k, _)| k.starts_with("isbns_"))
        .flat_map(|(_, v)| v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()))
        .collect();
    sent.sort();
    assert_eq!(sent, isbns, "every identifier is asked exactly once");
    assert_eq!(editions.len(), 24, "all editions come back, each once");
    let audio = editions.iter().find(|e| e.asin.is_some()).unwrap();
    assert_eq!(audio.reading_format, Some(ReadingFormat::Audio));
    let book = editions[0].book.as_ref().expect("lookups include the book");
    assert_eq!(book.authors, vec!["A. Author"]);
    assert_eq!(c.requests_sent(), 7, "seven top-level fields were billed");
}

#[tokio::test]
async fn after_r_equals_zero_the_next_request_waits_for_the_refill_not_the_reset() {
    let fake = Fake::start(|_, i| {
        let r =
            Reply::data(me_data()).header("ratelimit-policy", r#""Free";q=60;w=60;burst=10, "daily";q=5000;w=86400"#);
        if i == 0 { r.header("ratelimit", r#""Free";r=0;t=60, "daily";r=4321;t=80000"#) } else { r }
    })
    .await;
    let c = HardcoverClient::new(fake.url(), Arc::new(StaticToken::new(TOKEN))).unwrap();
    c.me().await.unwrap();
    assert_eq!(c.limiter().snapshot().remaining_today, 4321, "the daily budget follows the server's header");
    c.me().await.unwrap();
    let seen = fake.seen();
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_millis(950) && gap < Duration::from_secs(10),
        "after r=0 the next request waits for one token at q/w (1 s), not for t=60 (waited {gap:?})"
    );
    assert_eq!(c.limiter().snapshot().remaining_today, 4320, "sent requests come off the daily budget");
}

fn list_json(id: i64) -> Value {
    json!({"id": id, "user_id": 42, "name": format!("List {id}"), "slug": null, "description": null,
           "books_count": 3, "privacy_setting_id": 1})
}

#[tokio::test]
async fn paging_stops_at_the_end() {
    for total in [0_i64, 99, 100, 230] {
        let fake = Fake::start(move |seen, _| {
            let limit = seen.var("limit").as_i64().unwrap();
            let offset = seen.var("offset").as_i64().unwrap();
            assert!(limit <= 100, "pages are at most 100 rows");
            let rows: Vec<Value> = (offset..(offset + limit).min(total)).map(list_json).collect();
            Reply::data(json!({"lists": rows}))
        })
        .await;
        let lists = client(&fake).all_lists(42).await.unwrap();
        assert_eq!(lists.len() as i64, total, "every list is fetched");
        let ids: Vec<i64> = lists.iter().map(|l| l.id).collect();
        assert_eq!(ids, (0..total).collect::<Vec<_>>(), "in order, none twice");
        let expected_requests = total / 100 + 1;
        assert_eq!(
            fake.seen().len() as i64,
            expected_requests,
            "{total} rows take {expected_requests} pages and no more"
        );
    }
}

fn user_book_json() -> Value {
    json!({
        "id": 11, "book_id": 100, "edition_id": 200, "status_id": 2, "rating": "4.5",
        "date_added": "2024-01-02", "updated_at": "2024-03-01T10:00:00.123456+00:00",
        "book": {"id": 100, "title": "Dune", "subtitle": null, "slug": "dune", "pages": 600, "release_year": 1965,
                 "cached_contributors": [{"author": {"name": "Frank Herbert"}, "contribution": null},
                                         {"author": {"name": "Scott Brick"}, "contribution": "Narrator"}],
                 "image": {"url": "https://img/1.jpg"}},
        "edition": {"id": 200, "book_id": 100, "title": "Dune", "pages": null, "audio_seconds": 75600,
                    "reading_format_id": 2, "edition_format": "Audible", "isbn_10": null, "isbn_13": null,
                    "asin": "B002V1OF70", "release_year": 2007, "image": null},
        "user_book_reads": [
            {"id": 901, "user_book_id": 11, "edition_id": 200, "progress": 12.5, "progress_pages": null,
             "progress_seconds": 9450, "started_at": "2024-02-01", "finished_at": null, "paused_at": null},
            {"id": 900, "user_book_id": 11, "edition_id": 200, "progress": 100, "progress_pages": null,
             "progress_seconds": 75600, "started_at": "2023-01-01", "finished_at": "2023-02-01", "paused_at": null}
        ]
    })
}

#[tokio::test]
async fn user_books_decode_and_filter() {
    let fake = Fake::start(|_, _| Reply::data(json!({"user_books": [user_book_json()]}))).await;
    let c = client(&fake);
    let books = c.user_books(42, Some(ReadingStatus::CurrentlyReading), 50, 0).await.unwrap();
    let ub = &books[0];
    assert_eq!(ub.status, Some(ReadingStatus::CurrentlyReading));
    assert_eq!(ub.rating, Some(4.5), "a stringified numeric rating is read");
    assert_eq!(ub.book.authors, vec!["Frank Herbert"], "narrators are not listed as authors");
    let ed = ub.edition.as_ref().unwrap();
    assert_eq!((ed.reading_format, ed.audio_seconds), (Some(ReadingFormat::Audio), Some(75_600)));
    let latest = ub.latest_read().unwrap();
    assert_eq!((latest.id, latest.progress_seconds), (901, Some(9450)), "the newest read comes first");
    assert_eq!(ub.updated_at.unwrap().to_rfc3339(), "2024-03-01T10:00:00.123456+00:00");

    let since = "2024-02-29T23:00:00Z".parse().unwrap();
    c.user_books_since(42, since).await.unwrap();
    c.user_books_for_books(42, &[7, 3, 7]).await.unwrap();
    let seen = fake.seen();
    assert_eq!(
        seen[0].var("where"),
        &json!({"user_id": {"_eq": 42}, "status_id": {"_eq": 2}}),
        "filters carry the user and status and nothing unset (a null filter would match every row)"
    );
    assert_eq!(seen[0].var("reads"), &json!(3), "a few latest reads per book");
    assert_eq!(
        seen[1].var("where"),
        &json!({"user_id": {"_eq": 42}, "updated_at": {"_gt": "2024-02-29T23:00:00.000000Z"}})
    );
    assert_eq!(seen[2].var("where"), &json!({"user_id": {"_eq": 42}, "book_id": {"_in": [3, 7]}}));
}

#[tokio::test]
async fn status_counts_use_two_operations() {
    let fake = Fake::start(|seen, _| {
        let mut data = serde_json::Map::new();
        for (n, alias) in seen.fields.iter().enumerate() {
            let status = seen.var(&format!("status_{n}")).as_i64().unwrap();
            data.insert(alias.clone(), json!({"aggregate": {"count": status * 10}}));
        }
        Reply::data(Value::Object(data))
    })
    .await;
    let counts = client(&fake).status_counts(42).await.unwrap();
    assert_eq!(counts.want_to_read, 10);
    assert_eq!(counts.ignored, 60);
    assert_eq!(counts.total(), 210);
    assert_eq!(fake.seen().iter().map(|s| s.fields.len()).collect::<Vec<_>>(), vec![5, 1]);
}

#[tokio::test]
async fn search_is_sent_alone_and_parsed() {
    let fake = Fake::start(|seen, i| {
        assert_eq!(seen.fields, vec!["search"], "search goes alone in its operation");
        if i == 0 {
            Reply::data(json!({"search": {"error": null, "ids": [5], "page": 1, "per_page": 5, "results": {
                "found": 1, "page": 1,
                "hits": [{"document": {"id": "5", "title": "Dune", "author_names": ["Frank Herbert"], "isbns": ["9780441013593"]}}]
            }}}))
        } else {
            Reply::data(json!({"search": {"error": "query too long", "ids": null, "page": 1, "per_page": 5, "results": null}}))
        }
    })
    .await;
    let c = client(&fake);
    let r = c.search_books("dune", 1, 5).await.unwrap();
    assert_eq!((r.found, r.hits[0].book_id, r.hits[0].title.as_deref()), (1, 5, Some("Dune")));
    assert_eq!(fake.seen()[0].var("per_page"), &json!(5));
    let err = c.search_books("x", 1, 5).await.expect_err("a rejected search is an error, not zero hits");
    assert!(err.to_string().contains("query too long"), "{err}");
}

#[tokio::test]
async fn bad_api_url_is_refused_with_a_fix() {
    let err =
        HardcoverClient::new(Url::parse("ftp://example.invalid/graphql").unwrap(), Arc::new(StaticToken::new(TOKEN)))
            .expect_err("a non-http api_url must be refused");
    assert!(err.to_string().contains("api_url"), "the message names the setting to fix: {err}");
    let fake = Fake::start(|_, _| Reply::data(me_data())).await;
    let debug = format!("{:?}", client(&fake));
    assert!(!debug.contains(TOKEN), "Debug must not print the token: {debug}");
}

#[tokio::test]
async fn an_operation_hasura_rejects_whole_is_a_failure_with_its_reason() {
    // Hasura answers `errors[]` without data when a mutation's input is bad.
    let fake = Fake::start(|seen, _| {
        let bad = seen.fields.iter().enumerate().any(|(n, _)| seen.var(&format!("id_{n}")) == &json!(3));
        if bad {
            return Reply::json(200, json!({"errors": [{"message": "user_book_read 3 not found"}]}));
        }
        let mut data = serde_json::Map::new();
        for (n, alias) in seen.fields.iter().enumerate() {
            data.insert(alias.clone(), json!({"id": seen.var(&format!("id_{n}")), "error": null}));
        }
        Reply::data(Value::Object(data))
    })
    .await;
    let c = client(&fake);
    let err = c.delete_user_book_read(3).await.expect_err("an operation Hasura rejected changed nothing");
    assert!(err.to_string().contains("not found"), "the failure carries Hardcover's reason: {err}");
    assert_eq!(c.delete_user_book_read(4).await.expect("the next change is not affected"), 4);
}

#[tokio::test]
async fn client_and_its_futures_can_cross_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: T) {}
    let fake = Fake::start(|_, _| Reply::data(me_data())).await;
    let c = Arc::new(client(&fake));
    send_sync(&c);
    // The sync runs the client on spawned tasks: its futures must be Send.
    send(c.me());
    send(c.delete_user_book_read(1));
    let handle = tokio::spawn({
        let c = c.clone();
        async move { c.me().await }
    });
    assert_eq!(handle.await.unwrap().unwrap().id, 42);
}

#[tokio::test]
async fn a_server_enforcing_its_policy_never_has_to_say_429() {
    // The server enforces what its headers announce: a bucket of 5 refilled at 10/s. The client
    // starts with the free plan's defaults and must adapt from the headers without ever being
    // rejected, even with 15 requests in flight at once.
    const BURST: f64 = 5.0;
    const RATE: f64 = 10.0;
    let bucket = Mutex::new((BURST, Instant::now()));
    let rejected = Arc::new(AtomicUsize::new(0));
    let rejected_in_server = rejected.clone();
    let fake = Fake::start(move |_, _| {
        let mut b = bucket.lock().unwrap();
        let now = Instant::now();
        b.0 = (b.0 + (now - b.1).as_secs_f64() * RATE).min(BURST);
        b.1 = now;
        let policy = r#""Free";q=600;w=60;burst=5, "daily";q=5000;w=86400"#;
        if b.0 < 1.0 {
            rejected_in_server.fetch_add(1, Ordering::SeqCst);
            return Reply::json(429, json!({"error": "too many requests"})).header("retry-after", "1");
        }
        b.0 -= 1.0;
        let remaining = b.0.floor();
        let reset = ((BURST - b.0) / RATE).ceil().max(1.0);
        Reply::data(me_data())
            .header("ratelimit-policy", policy)
            .header("ratelimit", &format!(r#""Free";r={remaining};t={reset}, "daily";r=4000;t=80000"#))
    })
    .await;
    let c = Arc::new(HardcoverClient::new(fake.url(), Arc::new(StaticToken::new(TOKEN))).unwrap());
    // One request first so the policy is known, as in any real session (`me` comes first).
    c.me().await.unwrap();
    let calls = (0..15).map(|_| {
        let c = c.clone();
        async move { c.me().await }
    });
    let results = futures::future::join_all(calls).await;
    assert_eq!(rejected.load(Ordering::SeqCst), 0, "the limiter must wait before sending instead of getting 429s");
    assert!(results.iter().all(Result::is_ok), "every request succeeds: {:?}", results.iter().find(|r| r.is_err()));
    assert_eq!(c.requests_sent(), 16);
}
