//! Kavita 0.8 emulator, shaped after its DTOs (`samples/other/kavita-volumes.json`).
//!
//! The API key buys a JWT at `POST /api/Plugin/authenticate`; [`KavitaEmulator::expire_tokens`]
//! makes every issued JWT answer 401, as an expired one does. `POST /api/series/all-v2` honours a
//! ReadProgress filter (field 20) and pages with `PageNumber` (from 1) / `PageSize`, totals in the
//! `Pagination` header. Each seeded book is a series with one volume and one chapter; a series
//! with several chapters can be added for the multi-chapter paths.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::RunningServer;
use crate::record::{Exchange, Recorder};
use crate::seed::{Fault, SeedBook, faulty};

pub const LIBRARY_ID: i64 = 1;

#[derive(Debug, Clone)]
pub struct Chapter {
    pub id: i64,
    pub title: String,
    pub pages: i64,
    pub pages_read: i64,
    pub isbn: String,
    pub writer: String,
    /// Kavita's MangaFormat: 1 Archive, 3 Epub.
    pub format: i64,
    pub last_read: Option<String>,
}

#[derive(Debug, Clone)]
struct Series {
    id: i64,
    name: String,
    volume_id: i64,
    chapters: Vec<Chapter>,
}

#[derive(Default)]
struct KavitaState {
    api_key: String,
    series: Vec<Series>,
    valid_tokens: HashSet<String>,
    issued: usize,
    fault: Fault,
    requests: Vec<String>,
    /// Answer with the extra fields later Kavita versions (0.8.4+, 0.9) add to these DTOs.
    newer_fields: bool,
}

pub struct KavitaBuilder {
    newer_fields: bool,
    api_key: String,
    books: Vec<SeedBook>,
    unread: usize,
    multi: Vec<(String, Vec<(i64, i64)>)>,
}

pub struct KavitaEmulator {
    server: RunningServer,
    recorder: Recorder,
    state: Arc<Mutex<KavitaState>>,
}

fn iso(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// Series, volume and chapter ids of the `n`th seeded book.
pub fn ids(n: usize) -> (i64, i64, i64) {
    let n = n as i64;
    (100 + n, 10_000 + n, 1_000_000 + n)
}

impl KavitaEmulator {
    pub fn builder() -> KavitaBuilder {
        KavitaBuilder {
            newer_fields: false,
            api_key: "kavita-test-key".into(),
            books: Vec::new(),
            unread: 0,
            multi: Vec::new(),
        }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn state(&self) -> MutexGuard<'_, KavitaState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault(&self, fault: Fault) {
        self.state().fault = fault;
    }

    /// Every JWT issued so far stops working (401), as when it expires.
    pub fn expire_tokens(&self) {
        self.state().valid_tokens.clear();
    }

    /// How many times a client authenticated.
    pub fn authentications(&self) -> usize {
        self.state().issued
    }

    pub fn chapter(&self, chapter_id: i64) -> Option<Chapter> {
        self.state().series.iter().flat_map(|s| &s.chapters).find(|c| c.id == chapter_id).cloned()
    }

    /// Every request with its answer, whole (for the contract tests).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.recorder.exchanges()
    }

    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }
}

impl KavitaBuilder {
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_key = key.into();
        self
    }

    pub fn books(mut self, books: Vec<SeedBook>) -> Self {
        self.books.extend(books);
        self
    }

    /// Answer like a later Kavita (0.8.4+, 0.9), whose DTOs carry fields the 0.8.3 spec lacks.
    pub fn newer_version_fields(mut self) -> Self {
        self.newer_fields = true;
        self
    }

    pub fn unread(mut self, n: usize) -> Self {
        self.unread = n;
        self
    }

    /// A series with several chapters, each `(pages, pages_read)`. Its series id is 900 + its
    /// position among multi-chapter series, volume 9000 + that, chapters 90_000 + 10·that + i.
    pub fn multi_chapter_series(mut self, name: &str, chapters: Vec<(i64, i64)>) -> Self {
        self.multi.push((name.into(), chapters));
        self
    }

    pub async fn start(self) -> std::io::Result<KavitaEmulator> {
        let mut st = KavitaState { api_key: self.api_key, newer_fields: self.newer_fields, ..KavitaState::default() };
        let seeded = self.books.len();
        let all = self.books.into_iter().chain((seeded..seeded + self.unread).map(|n| {
            let mut b = SeedBook::generated(n);
            b.fraction = 0.0;
            b.finished = false;
            b
        }));
        for (n, b) in all.enumerate() {
            let (sid, vid, cid) = ids(n);
            let unread = n >= seeded;
            st.series.push(Series {
                id: sid,
                name: b.title.clone(),
                volume_id: vid,
                chapters: vec![Chapter {
                    id: cid,
                    title: b.title.clone(),
                    pages: i64::from(b.pages),
                    pages_read: if unread { 0 } else { i64::from(b.pages_read()) },
                    isbn: b.isbn.clone().unwrap_or_default(),
                    writer: b.author.clone(),
                    format: if b.audio { 1 } else { 3 },
                    last_read: (!unread).then(|| iso(b.updated_ms)),
                }],
            });
        }
        for (i, (name, chapters)) in self.multi.into_iter().enumerate() {
            let i = i as i64;
            st.series.push(Series {
                id: 900 + i,
                name: name.clone(),
                volume_id: 9000 + i,
                chapters: chapters
                    .into_iter()
                    .enumerate()
                    .map(|(c, (pages, read))| Chapter {
                        id: 90_000 + 10 * i + c as i64,
                        title: format!("{name} #{}", c + 1),
                        pages,
                        pages_read: read,
                        isbn: String::new(),
                        writer: "Series Writer".into(),
                        format: 1,
                        last_read: (read > 0).then(|| iso(crate::seed::BASE_MS)),
                    })
                    .collect(),
            });
        }
        let state = Arc::new(Mutex::new(st));
        let router = Router::new()
            .route("/api/series/all-v2", post(series_all))
            .route("/api/series/volumes", get(volumes))
            .route("/api/reader/progress", post(set_progress))
            .route("/api/reader/mark-read", post(mark_read))
            .layer(middleware::from_fn_with_state(state.clone(), auth))
            .route("/api/Plugin/authenticate", post(authenticate))
            .with_state(state.clone());
        let recorder = Recorder::default();
        let router = recorder.wrap(router);
        Ok(KavitaEmulator { server: RunningServer::serve(router, 0).await?, state, recorder })
    }
}

type St = State<Arc<Mutex<KavitaState>>>;

fn lock(state: &Arc<Mutex<KavitaState>>) -> MutexGuard<'_, KavitaState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// A new account's `UserPreferencesDto`, with Kavita 0.8's defaults (every field is required).
fn preferences() -> Value {
    json!({"readingDirection":0,"scalingOption":3,"pageSplitOption":2,"readerMode":0,"layoutMode":1,
        "emulateBook":false,"backgroundColor":"#000000","swipeToPaginate":false,"autoCloseMenu":true,
        "showScreenHints":true,"bookReaderMargin":15,"bookReaderLineSpacing":100,"bookReaderFontSize":100,
        "bookReaderFontFamily":"default","bookReaderTapToPaginate":false,"bookReaderReadingDirection":0,
        "bookReaderWritingStyle":0,
        "theme":{"id":1,"name":"Dark","normalizedName":"dark","fileName":"dark.scss","isDefault":true,"provider":1,
            "previewUrls":[],"description":null,"author":null,"compatibleVersion":null,"selector":"bg-dark"},
        "bookReaderThemeName":"Dark","bookReaderLayoutMode":0,"bookReaderImmersiveMode":false,
        "globalPageLayoutMode":0,"blurUnreadSummaries":false,"promptForDownloadSize":true,"noTransitions":false,
        "collapseSeriesRelationships":false,"shareReviews":false,"locale":"en","pdfTheme":0,"pdfScrollMode":0,
        "pdfLayoutMode":0,"pdfSpreadMode":0})
}

async fn authenticate(State(state): St, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let mut st = lock(&state);
    st.requests.push("POST /api/Plugin/authenticate".into());
    if q.get("apiKey") != Some(&st.api_key) || q.get("pluginName").is_none_or(|p| p.is_empty()) {
        return (StatusCode::UNAUTHORIZED, "Invalid API key").into_response();
    }
    st.issued += 1;
    let token = format!("eyJ.kavita-jwt-{}", st.issued);
    st.valid_tokens.insert(token.clone());
    let body = json!({"username":"reader","email":"reader@example.invalid","token":token,
        "refreshToken":format!("refresh-{}", st.issued),"apiKey":st.api_key,"preferences":preferences(),
        "ageRestriction":{"ageRating":-1,"includeUnknowns":true},"kavitaVersion":"0.8.3.2"});
    if let Some(r) = faulty(st.fault, &body) {
        return r;
    }
    Json(body).into_response()
}

async fn auth(State(state): St, req: Request, next: Next) -> Response {
    let ok = {
        let mut st = lock(&state);
        st.requests.push(format!("{} {}", req.method(), req.uri()));
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        st.valid_tokens.contains(token)
    };
    if ok { next.run(req).await } else { StatusCode::UNAUTHORIZED.into_response() }
}

fn read_filter(body: &Value) -> bool {
    body["statements"]
        .as_array()
        .is_some_and(|s| s.iter().any(|st| st["field"].as_i64() == Some(20) && st["comparison"].as_i64() == Some(1)))
}

/// Fields later Kavita versions add (a client must ignore what it does not know).
fn add_newer_fields(v: &mut Value) {
    if let Value::Object(m) = v {
        m.insert("sortOrder".into(), json!(1.0));
        m.insert("primaryColor".into(), json!("#1a1a1a"));
        m.insert("kavitaPlusConnection".into(), json!({"state": 0, "links": []}));
    }
}

fn series_json(s: &Series) -> Value {
    let pages: i64 = s.chapters.iter().map(|c| c.pages).sum();
    let read: i64 = s.chapters.iter().map(|c| c.pages_read).sum();
    json!({"id":s.id,"name":s.name,"originalName":s.name,"localizedName":"","sortName":s.name,"pages":pages,
        "coverImageLocked":false,"pagesRead":read,"latestReadDate":s.chapters.iter().filter_map(|c| c.last_read.clone()).max(),
        "lastChapterAdded":"2025-01-01T00:00:00","userRating":0,"hasUserRated":false,
        "format":s.chapters.first().map_or(3, |c| c.format),"created":"2025-01-01T00:00:00","libraryId":LIBRARY_ID,
        "libraryName":"Books","wordCount":0,"minHoursToRead":0,"maxHoursToRead":0,"avgHoursToRead":0.0,
        "folderPath":format!("/books/{}", s.name),"lastFolderScanned":"2025-01-01T00:00:00"})
}

async fn series_all(State(state): St, Query(q): Query<BTreeMap<String, String>>, Json(body): Json<Value>) -> Response {
    let st = lock(&state);
    let only_read = read_filter(&body);
    let matching: Vec<&Series> =
        st.series.iter().filter(|s| !only_read || s.chapters.iter().any(|c| c.pages_read > 0)).collect();
    let page: usize = q.get("PageNumber").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let size: usize = q.get("PageSize").and_then(|p| p.parse().ok()).unwrap_or(0);
    let total = matching.len();
    let (items, total_pages, per_page): (Vec<Value>, usize, usize) = if size == 0 {
        (matching.iter().map(|s| series_json(s)).collect(), 1, total)
    } else {
        (
            matching.iter().skip((page - 1) * size).take(size).map(|s| series_json(s)).collect(),
            total.div_ceil(size),
            size,
        )
    };
    let mut body = Value::Array(items);
    if st.newer_fields {
        body.as_array_mut().into_iter().flatten().for_each(add_newer_fields);
    }
    if let Some(r) = faulty(st.fault, &body) {
        return r;
    }
    let pagination =
        json!({"currentPage":page,"itemsPerPage":per_page,"totalItems":total,"totalPages":total_pages}).to_string();
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&pagination) {
        resp.headers_mut().insert("Pagination", v);
    }
    resp
}

fn chapter_json(c: &Chapter, volume_id: i64, name: &str) -> Value {
    let ext = if c.format == 1 { "cbz" } else { "epub" };
    json!({"id":c.id,"range":c.title,"number":"-100000","pages":c.pages,"isSpecial":false,"title":c.title,
        "pagesRead":c.pages_read,"lastReadingProgressUtc":c.last_read.clone().unwrap_or("0001-01-01T00:00:00".into()),
        "lastReadingProgress":c.last_read.clone().map(|t| t.trim_end_matches('Z').to_owned()).unwrap_or("0001-01-01T00:00:00".into()),
        "volumeId":volume_id,"titleName":c.title,"isbn":c.isbn,"writers":[{"id":3,"name":c.writer}],
        "files":[{"id":c.id,"filePath":format!("/books/{name}/{}.{ext}", c.title),"pages":c.pages,"format":c.format}]})
}

async fn volumes(State(state): St, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let st = lock(&state);
    let id: i64 = q.get("seriesId").and_then(|s| s.parse().ok()).unwrap_or(-1);
    let Some(s) = st.series.iter().find(|s| s.id == id) else {
        return (StatusCode::BAD_REQUEST, "Series does not exist").into_response();
    };
    let pages: i64 = s.chapters.iter().map(|c| c.pages).sum();
    let read: i64 = s.chapters.iter().map(|c| c.pages_read).sum();
    let body = json!([{"id":s.volume_id,"minNumber":-100000,"maxNumber":-100000,"name":"-100000","number":-100000,
        "pages":pages,"pagesRead":read,"seriesId":s.id,
        "chapters":s.chapters.iter().map(|c| chapter_json(c, s.volume_id, &s.name)).collect::<Vec<_>>()}]);
    let mut body = body;
    if st.newer_fields {
        add_newer_fields(&mut body[0]);
        body[0]["chapters"].as_array_mut().into_iter().flatten().for_each(add_newer_fields);
    }
    if let Some(r) = faulty(st.fault, &body) {
        return r;
    }
    Json(body).into_response()
}

async fn set_progress(State(state): St, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    let (sid, vid, cid, page) =
        (body["seriesId"].as_i64(), body["volumeId"].as_i64(), body["chapterId"].as_i64(), body["pageNum"].as_i64());
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let Some(s) = st.series.iter_mut().find(|s| Some(s.id) == sid && Some(s.volume_id) == vid) else {
        return (StatusCode::BAD_REQUEST, "Could not save progress").into_response();
    };
    let Some(c) = s.chapters.iter_mut().find(|c| Some(c.id) == cid) else {
        return (StatusCode::BAD_REQUEST, "Could not save progress").into_response();
    };
    c.pages_read = page.unwrap_or(0).clamp(0, c.pages);
    c.last_read = Some(now);
    (StatusCode::OK, "true").into_response()
}

async fn mark_read(State(state): St, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let Some(s) = st.series.iter_mut().find(|s| Some(s.id) == body["seriesId"].as_i64()) else {
        return (StatusCode::BAD_REQUEST, "Series does not exist").into_response();
    };
    for c in &mut s.chapters {
        c.pages_read = c.pages;
        c.last_read = Some(now.clone());
    }
    StatusCode::OK.into_response()
}
