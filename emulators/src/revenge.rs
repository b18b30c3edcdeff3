//! Revenge emulator for the book endpoints its design documents plan (no real server has them
//! yet; the shapes are the ones `hardcover_sync::sources::revenge` documents).
//!
//! Login and refresh issue bearer tokens; [`RevengeEmulator::expire_tokens`] makes the current
//! access tokens answer 401. Books page with `page` (from 1) / `per_page`.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::RunningServer;
use crate::seed::{Fault, SeedBook, reply};

#[derive(Default)]
struct RevengeState {
    username: String,
    password: String,
    books: Vec<Value>,
    progress: BTreeMap<String, Value>,
    access: HashSet<String>,
    refresh: HashSet<String>,
    issued: usize,
    fault: Fault,
    requests: Vec<String>,
}

pub struct RevengeBuilder {
    username: String,
    password: String,
    books: Vec<SeedBook>,
    unread: usize,
}

pub struct RevengeEmulator {
    server: RunningServer,
    state: Arc<Mutex<RevengeState>>,
}

fn iso(ms: i64) -> Value {
    Utc.timestamp_millis_opt(ms).single().map_or(Value::Null, |t| json!(t.to_rfc3339()))
}

pub fn book_id(n: usize) -> String {
    format!("rv-{n}")
}

impl RevengeEmulator {
    pub fn builder() -> RevengeBuilder {
        RevengeBuilder { username: "reader".into(), password: "revenge-pass".into(), books: Vec::new(), unread: 0 }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn state(&self) -> MutexGuard<'_, RevengeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault(&self, fault: Fault) {
        self.state().fault = fault;
    }

    pub fn expire_tokens(&self) {
        self.state().access.clear();
    }

    /// Logins plus refreshes so far.
    pub fn tokens_issued(&self) -> usize {
        self.state().issued
    }

    pub fn progress(&self, id: &str) -> Option<Value> {
        self.state().progress.get(id).cloned()
    }

    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }
}

impl RevengeBuilder {
    pub fn login(mut self, username: &str, password: &str) -> Self {
        self.username = username.into();
        self.password = password.into();
        self
    }

    pub fn books(mut self, books: Vec<SeedBook>) -> Self {
        self.books.extend(books);
        self
    }

    pub fn unread(mut self, n: usize) -> Self {
        self.unread = n;
        self
    }

    pub async fn start(self) -> std::io::Result<RevengeEmulator> {
        let mut st = RevengeState { username: self.username, password: self.password, ..RevengeState::default() };
        let seeded = self.books.len();
        for (n, b) in self.books.iter().chain(&SeedBook::many(seeded + self.unread)[seeded..]).enumerate() {
            let id = book_id(n);
            st.books.push(json!({"id":id,"title":b.title,"subtitle":b.subtitle,"authors":[b.author],"isbn":b.isbn,
                "asin":b.asin,"format":if b.audio { "audio" } else { "ebook" }}));
            if n < seeded {
                let total = if b.audio { b.duration_secs } else { f64::from(b.pages) };
                st.progress.insert(
                    id,
                    json!({"fraction":b.fraction,"position":(b.fraction * total).round(),"total":total,
                        "finished":b.finished,"started_at":iso(b.started_ms),
                        "finished_at":b.finished_ms.map_or(Value::Null, iso),"updated_at":iso(b.updated_ms)}),
                );
            }
        }
        let state = Arc::new(Mutex::new(st));
        let router = Router::new()
            .route("/api/v1/books", get(books))
            .route("/api/v1/books/{id}/progress", get(get_progress).put(put_progress))
            .layer(middleware::from_fn_with_state(state.clone(), auth))
            .route("/api/v1/auth/login", post(login))
            .route("/api/v1/auth/refresh", post(refresh))
            .with_state(state.clone());
        Ok(RevengeEmulator { server: RunningServer::serve(router, 0).await?, state })
    }
}

type St = State<Arc<Mutex<RevengeState>>>;

fn lock(state: &Arc<Mutex<RevengeState>>) -> MutexGuard<'_, RevengeState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn issue(st: &mut RevengeState) -> Value {
    st.issued += 1;
    let (access, refresh) = (format!("rv-access-{}", st.issued), format!("rv-refresh-{}", st.issued));
    st.access.insert(access.clone());
    st.refresh.insert(refresh.clone());
    json!({"access_token":access,"refresh_token":refresh,"expires_in":900})
}

async fn login(State(state): St, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    st.requests.push("POST /api/v1/auth/login".into());
    if body["username"].as_str() != Some(&st.username) || body["password"].as_str() != Some(&st.password) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error":"invalid credentials"}))).into_response();
    }
    let tokens = issue(&mut st);
    reply(st.fault, tokens)
}

async fn refresh(State(state): St, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    st.requests.push("POST /api/v1/auth/refresh".into());
    let Some(old) = body["refresh_token"].as_str().map(str::to_owned) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    // Refresh tokens rotate: each works once.
    if !st.refresh.remove(&old) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error":"invalid refresh token"}))).into_response();
    }
    let tokens = issue(&mut st);
    reply(st.fault, tokens)
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
        st.access.contains(token)
    };
    if ok {
        next.run(req).await
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"error":"unauthorized"}))).into_response()
    }
}

async fn books(State(state): St, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let st = lock(&state);
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(20).clamp(1, 100);
    let items: Vec<Value> = st.books.iter().skip((page - 1) * per_page).take(per_page).cloned().collect();
    reply(st.fault, json!({"items":items,"page":page,"per_page":per_page,"total":st.books.len()}))
}

async fn get_progress(State(state): St, Path(id): Path<String>) -> Response {
    let st = lock(&state);
    match st.progress.get(&id) {
        Some(p) => reply(st.fault, p.clone()),
        None => (StatusCode::NOT_FOUND, Json(json!({"error":"no progress"}))).into_response(),
    }
}

async fn put_progress(State(state): St, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    if st.fault != Fault::None {
        return reply(st.fault, json!({}));
    }
    if !st.books.iter().any(|b| b["id"] == id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(fraction) = body["fraction"].as_f64().filter(|f| (0.0..=1.0).contains(f)) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error":"fraction must be within 0..1"})))
            .into_response();
    };
    let now = json!(Utc::now().to_rfc3339());
    let finished = body["finished"].as_bool().unwrap_or(false);
    let p = st.progress.entry(id).or_insert_with(|| json!({"started_at": now.clone()}));
    p["fraction"] = json!(fraction);
    p["position"] = body["position"].clone();
    p["finished"] = json!(finished);
    p["finished_at"] =
        if finished { body["finished_at"].as_str().map_or(now.clone(), |t| json!(t)) } else { Value::Null };
    p["updated_at"] = now;
    StatusCode::NO_CONTENT.into_response()
}
