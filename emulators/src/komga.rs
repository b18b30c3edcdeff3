//! Komga 1.x emulator, shaped after `BookDto` and Spring's `Page` (`samples/other/komga-books-list.json`).
//!
//! `POST /api/v1/books/list` evaluates `readStatus` conditions (also inside `anyOf` / `allOf`) and
//! pages with `page` (from 0) and `size` (default 20) like Spring. `PATCH .../read-progress` follows
//! Komga: `{"page": n}` marks completed when n is the last page, `{"completed": true}` jumps to it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::RunningServer;
use crate::record::{Exchange, Recorder};
use crate::seed::{Fault, SeedBook, reply};

pub const LIBRARY_ID: &str = "0F99E8TQ4TA6D";

#[derive(Debug, Clone)]
struct Book {
    id: String,
    series_id: String,
    title: String,
    author: String,
    isbn: String,
    comic: bool,
    pages: i64,
    created: String,
    /// `readProgress` as served, or null.
    progress: Value,
}

#[derive(Default)]
struct KomgaState {
    api_key: String,
    books: Vec<Book>,
    fault: Fault,
    requests: Vec<String>,
}

pub struct KomgaBuilder {
    api_key: String,
    books: Vec<SeedBook>,
    unread: usize,
}

pub struct KomgaEmulator {
    server: RunningServer,
    recorder: Recorder,
    state: Arc<Mutex<KomgaState>>,
}

fn iso(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// The id of the `n`th seeded book.
pub fn book_id(n: usize) -> String {
    format!("0G{n:011X}")
}

impl KomgaEmulator {
    pub fn builder() -> KomgaBuilder {
        KomgaBuilder { api_key: "komga-test-key".into(), books: Vec::new(), unread: 0 }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn state(&self) -> MutexGuard<'_, KomgaState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault(&self, fault: Fault) {
        self.state().fault = fault;
    }

    /// A book's `readProgress` as served (null when unread).
    pub fn read_progress(&self, id: &str) -> Option<Value> {
        self.state().books.iter().find(|b| b.id == id).map(|b| b.progress.clone())
    }

    /// Overwrite fields of a book's `readProgress` or `media` (`pagesCount`) for bad-value tests.
    pub fn patch_raw(&self, id: &str, read_progress: Value, pages: Option<i64>) {
        let mut st = self.state();
        if let Some(b) = st.books.iter_mut().find(|b| b.id == id) {
            if let Some(f) = read_progress.as_object() {
                for (k, v) in f {
                    b.progress[k] = v.clone();
                }
            }
            if let Some(p) = pages {
                b.pages = p;
            }
        }
    }

    /// Every request with its answer, whole (for the contract tests).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.recorder.exchanges()
    }

    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }
}

impl KomgaBuilder {
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_key = key.into();
        self
    }

    pub fn books(mut self, books: Vec<SeedBook>) -> Self {
        self.books.extend(books);
        self
    }

    /// Books the user has not opened (no `readProgress`), which a progress listing must not return.
    pub fn unread(mut self, n: usize) -> Self {
        self.unread = n;
        self
    }

    pub async fn start(self) -> std::io::Result<KomgaEmulator> {
        let mut st = KomgaState { api_key: self.api_key, ..KomgaState::default() };
        let seeded = self.books.len();
        for (n, b) in self.books.iter().enumerate() {
            let progress = json!({"page": b.pages_read(), "completed": b.finished,
                "readDate": iso(b.updated_ms), "created": iso(b.started_ms), "lastModified": iso(b.updated_ms),
                "deviceId": "", "deviceName": ""});
            st.books.push(Book {
                id: book_id(n),
                series_id: format!("0S{n:011X}"),
                title: b.title.clone(),
                author: b.author.clone(),
                isbn: b.isbn.clone().unwrap_or_default(),
                // Komga serves no audio: audio seeds become comics (CBZ), so both paged kinds appear.
                comic: b.audio,
                pages: i64::from(b.pages),
                created: iso(b.started_ms - 86_400_000),
                progress,
            });
        }
        for n in seeded..seeded + self.unread {
            let b = SeedBook::generated(n);
            st.books.push(Book {
                id: book_id(n),
                series_id: format!("0S{n:011X}"),
                title: b.title,
                author: b.author,
                isbn: b.isbn.unwrap_or_default(),
                comic: false,
                pages: i64::from(b.pages),
                created: iso(b.started_ms),
                progress: Value::Null,
            });
        }
        let state = Arc::new(Mutex::new(st));
        let router = Router::new()
            .route("/api/v1/books/list", post(list))
            .route("/api/v1/books/{id}", get(book))
            .route("/api/v1/books/{id}/read-progress", patch(read_progress))
            .layer(middleware::from_fn_with_state(state.clone(), auth))
            .with_state(state.clone());
        let recorder = Recorder::default();
        let router = recorder.wrap(router);
        Ok(KomgaEmulator { server: RunningServer::serve(router, 0).await?, state, recorder })
    }
}

async fn auth(State(state): State<Arc<Mutex<KomgaState>>>, req: Request, next: Next) -> Response {
    let ok = {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        st.requests.push(format!("{} {}", req.method(), req.uri()));
        req.headers().get("X-API-Key").is_some_and(|v| v.as_bytes() == st.api_key.as_bytes())
    };
    if ok {
        next.run(req).await
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"timestamp":"","status":401,"error":"Unauthorized","path":""})))
            .into_response()
    }
}

type St = State<Arc<Mutex<KomgaState>>>;

fn lock(state: &Arc<Mutex<KomgaState>>) -> MutexGuard<'_, KomgaState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn read_status(b: &Book) -> &'static str {
    if b.progress.is_null() {
        "UNREAD"
    } else if b.progress["completed"].as_bool().unwrap_or(false) {
        "READ"
    } else {
        "IN_PROGRESS"
    }
}

/// Evaluate a search condition; `Err` for one this emulator does not know (Komga answers 400).
fn matches(cond: &Value, b: &Book) -> Result<bool, String> {
    if cond.is_null() {
        return Ok(true);
    }
    if let Some(rs) = cond.get("readStatus") {
        let value = rs["value"].as_str().ok_or("readStatus without value")?;
        return match rs["operator"].as_str() {
            Some("is") => Ok(read_status(b) == value),
            Some("isNot") => Ok(read_status(b) != value),
            other => Err(format!("unknown operator {other:?}")),
        };
    }
    if let Some(any) = cond.get("anyOf").and_then(Value::as_array) {
        for c in any {
            if matches(c, b)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(all) = cond.get("allOf").and_then(Value::as_array) {
        for c in all {
            if !matches(c, b)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    Err(format!("unsupported condition {cond}"))
}

fn book_json(b: &Book) -> Value {
    let (media_type, profile) = if b.comic { ("application/zip", "DIVINA") } else { ("application/epub+zip", "EPUB") };
    let ext = if b.comic { "cbz" } else { "epub" };
    json!({"id":b.id,"seriesId":b.series_id,"seriesTitle":b.title,"libraryId":LIBRARY_ID,"name":b.title,
        "url":format!("/books/{}/{}.{ext}", b.title, b.title),"number":1,"created":b.created,"lastModified":b.created,
        "fileLastModified":b.created,"sizeBytes":1_048_576,"size":"1 MiB",
        "media":{"status":"READY","mediaType":media_type,"pagesCount":b.pages,"comment":"",
            "epubDivinaCompatible":false,"epubIsKepub":false,"mediaProfile":profile},
        "metadata":{"title":b.title,"titleLock":false,"summary":"","summaryLock":false,"number":"1","numberLock":false,
            "numberSort":1.0,"numberSortLock":false,"releaseDate":&b.created[..10],"releaseDateLock":false,
            "authors":[{"name":b.author,"role":"writer"},{"name":"Cover Artist","role":"cover"}],"authorsLock":false,
            "tags":[],"tagsLock":false,"isbn":b.isbn,"isbnLock":false,"links":[],"linksLock":false,
            "created":b.created,"lastModified":b.created},
        "readProgress":b.progress,"deleted":false,"fileHash":"a1b2c3","oneshot":false})
}

async fn list(State(state): St, Query(q): Query<BTreeMap<String, String>>, body: Option<Json<Value>>) -> Response {
    let st = lock(&state);
    let cond = body.map(|Json(b)| b.get("condition").cloned().unwrap_or(Value::Null)).unwrap_or(Value::Null);
    let mut matching = Vec::new();
    for b in &st.books {
        match matches(&cond, b) {
            Ok(true) => matching.push(b),
            Ok(false) => {}
            Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
        }
    }
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let size: usize = q.get("size").and_then(|p| p.parse().ok()).unwrap_or(20).clamp(1, 2000);
    let total = matching.len();
    let total_pages = total.div_ceil(size);
    let content: Vec<Value> = matching.iter().skip(page * size).take(size).map(|b| book_json(b)).collect();
    let n = content.len();
    let sort = json!({"sorted": q.contains_key("sort"), "unsorted": !q.contains_key("sort"), "empty": !q.contains_key("sort")});
    reply(
        st.fault,
        json!({"content":content,
            "pageable":{"pageNumber":page,"pageSize":size,"sort":sort,"offset":page * size,"paged":true,"unpaged":false},
            "totalElements":total,"totalPages":total_pages,"last":page + 1 >= total_pages,"number":page,"size":size,
            "numberOfElements":n,"sort":sort,"first":page == 0,"empty":n == 0}),
    )
}

async fn book(State(state): St, Path(id): Path<String>) -> Response {
    let st = lock(&state);
    match st.books.iter().find(|b| b.id == id) {
        Some(b) => reply(st.fault, book_json(b)),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn read_progress(State(state): St, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    if st.fault != Fault::None {
        return reply(st.fault, json!({}));
    }
    let Some(b) = st.books.iter_mut().find(|b| b.id == id) else { return StatusCode::NOT_FOUND.into_response() };
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (page, completed) =
        match (body.get("page").and_then(Value::as_i64), body.get("completed").and_then(Value::as_bool)) {
            (_, Some(true)) => (b.pages, true),
            (Some(p), c) if (1..=b.pages).contains(&p) => (p, c.unwrap_or(p == b.pages)),
            _ => return (StatusCode::BAD_REQUEST, "page or completed required, page within the book").into_response(),
        };
    let created = b.progress.get("created").cloned().unwrap_or(json!(now));
    b.progress = json!({"page":page,"completed":completed,"readDate":now,"created":created,"lastModified":now,
        "deviceId":"","deviceName":""});
    StatusCode::NO_CONTENT.into_response()
}
