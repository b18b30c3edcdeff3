//! KOReader sync server emulator (the kosync protocol of koreader-sync-server,
//! `samples/other/kosync.json`).
//!
//! Users authenticate with `x-auth-user` and `x-auth-key` (MD5 of the password); a wrong pair is
//! 401 `{"code":2001,"message":"Unauthorized"}`. Progress is stored per user and document; an
//! unknown document answers `{}` (or 404, with [`KosyncBuilder::missing_as_404`], as some
//! third-party servers do).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::RunningServer;
use crate::seed::{Fault, reply};

#[derive(Default)]
struct KosyncState {
    /// user → md5(password) hex.
    users: BTreeMap<String, String>,
    /// (user, document) → the stored progress object.
    docs: BTreeMap<(String, String), Value>,
    missing_as_404: bool,
    fault: Fault,
    requests: Vec<String>,
}

pub struct KosyncBuilder {
    state: KosyncState,
}

pub struct KosyncEmulator {
    server: RunningServer,
    state: Arc<Mutex<KosyncState>>,
}

pub fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl KosyncEmulator {
    pub fn builder() -> KosyncBuilder {
        KosyncBuilder { state: KosyncState::default() }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn state(&self) -> MutexGuard<'_, KosyncState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault(&self, fault: Fault) {
        self.state().fault = fault;
    }

    /// What the server holds for a user's document.
    pub fn document(&self, user: &str, document: &str) -> Option<Value> {
        self.state().docs.get(&(user.to_owned(), document.to_owned())).cloned()
    }

    /// Documents asked for, in order (`GET /syncs/progress/:document`).
    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }
}

impl KosyncBuilder {
    pub fn user(mut self, name: &str, password: &str) -> Self {
        self.state.users.insert(name.into(), md5_hex(password));
        self
    }

    /// Progress a KOReader device pushed for `document` (`timestamp` in epoch seconds).
    pub fn progress(mut self, user: &str, document: &str, percentage: f64, timestamp: i64) -> Self {
        self.state.docs.insert(
            (user.into(), document.into()),
            json!({"document":document,"percentage":percentage,"progress":"/body/DocFragment[20]/body/p[22]/img.0",
                "device":"PocketBook","device_id":"8C1A0F00","timestamp":timestamp}),
        );
        self
    }

    pub fn missing_as_404(mut self) -> Self {
        self.state.missing_as_404 = true;
        self
    }

    pub async fn start(self) -> std::io::Result<KosyncEmulator> {
        let state = Arc::new(Mutex::new(self.state));
        let router = Router::new()
            .route("/users/auth", get(users_auth))
            .route("/syncs/progress/{document}", get(get_progress))
            .route("/syncs/progress", put(put_progress))
            .layer(middleware::from_fn_with_state(state.clone(), auth))
            .with_state(state.clone());
        Ok(KosyncEmulator { server: RunningServer::serve(router, 0).await?, state })
    }
}

type St = State<Arc<Mutex<KosyncState>>>;

fn lock(state: &Arc<Mutex<KosyncState>>) -> MutexGuard<'_, KosyncState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn user_of(req: &Request) -> String {
    req.headers().get("x-auth-user").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn auth(State(state): St, req: Request, next: Next) -> Response {
    let ok = {
        let mut st = lock(&state);
        st.requests.push(format!("{} {}", req.method(), req.uri()));
        let key = req.headers().get("x-auth-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
        st.users.get(&user_of(&req)).is_some_and(|k| k == key)
    };
    if ok {
        next.run(req).await
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"code":2001,"message":"Unauthorized"}))).into_response()
    }
}

async fn users_auth(State(state): St) -> Response {
    reply(lock(&state).fault, json!({"authorized":"OK"}))
}

async fn get_progress(State(state): St, Path(document): Path<String>, req: Request) -> Response {
    let st = lock(&state);
    match st.docs.get(&(user_of(&req), document)) {
        Some(d) => reply(st.fault, d.clone()),
        None if st.missing_as_404 => (StatusCode::NOT_FOUND, Json(json!({"status":"not found"}))).into_response(),
        None => reply(st.fault, json!({})),
    }
}

async fn put_progress(State(state): St, req: Request) -> Response {
    let user = user_of(&req);
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), 1 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Ok(body) = serde_json::from_slice::<Value>(&bytes) else {
        return (StatusCode::FORBIDDEN, Json(json!({"code":2003,"message":"Invalid request"}))).into_response();
    };
    let mut st = lock(&state);
    if st.fault != Fault::None {
        return reply(st.fault, json!({}));
    }
    let (Some(doc), Some(pct), Some(progress), Some(device)) =
        (body["document"].as_str(), body["percentage"].as_f64(), body["progress"].as_str(), body["device"].as_str())
    else {
        return (StatusCode::FORBIDDEN, Json(json!({"code":2003,"message":"Invalid request"}))).into_response();
    };
    let timestamp = chrono::Utc::now().timestamp();
    let stored = json!({"document":doc,"percentage":pct,"progress":progress,"device":device,
        "device_id":body["device_id"].clone(),"timestamp":timestamp});
    st.docs.insert((user, doc.to_owned()), stored);
    Json(json!({"document":doc,"timestamp":timestamp})).into_response()
}
