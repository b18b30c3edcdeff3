//! KOReader sync server emulator: koreader/koreader-sync-server as recorded in
//! `samples/kosync/NN-*.json` (its Lua app behind nginx, state in Redis).
//!
//! What it reproduces, in the order the real server applies it:
//! 1. Routing (nginx): unknown routes, other methods and document ids outside `[A-Za-z0-9_]` are
//!    nginx's HTML 404 page, before any other check.
//! 2. The `Accept: application/vnd.koreader.v1+json` check: missing 412 `{code:100}`, malformed
//!    412 `{code:101}`, another version 412 `{code:102}`.
//! 3. Auth (`x-auth-user`, `x-auth-key` compared as sent, so an uppercase MD5 is refused): 401
//!    `{code:2001}`.
//! 4. The handler. Redis keeps every value as a string: a percentage is stored with Lua's
//!    `tostring` (14 significant digits) and read back with `tonumber`, so `0.12345678901234566`
//!    comes back as `0.12345678901235`, `1.0` as `1`, and `"0.5"` as `0.5`. A PUT merges into the
//!    stored hash (an omitted `device_id` keeps the old one) and the last write wins, even when it
//!    is lower.
//!
//! [`KosyncBuilder::missing_as_404`] answers unknown documents with a JSON 404 instead of `{}`,
//! as some third-party kosync servers do.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use crate::RunningServer;
use crate::seed::{Fault, faulty};

/// nginx 1.22's own 404 page, byte for byte as the reference server sends it.
const NGINX_404: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";

/// One document's Redis hash: every field a string, as the server stores it.
#[derive(Debug, Clone, Default)]
struct StoredProgress {
    percentage: String,
    progress: String,
    device: String,
    device_id: Option<String>,
    timestamp: i64,
}

#[derive(Default)]
struct KosyncState {
    /// user → the key given at registration (KOReader sends md5(password), lowercase hex).
    users: BTreeMap<String, String>,
    /// (user, document) → the stored hash.
    docs: BTreeMap<(String, String), StoredProgress>,
    registration_disabled: bool,
    missing_as_404: bool,
    /// A reverse proxy in front that drops the Accept header.
    strip_accept: bool,
    fault: Fault,
    /// A fixed server clock (epoch seconds) instead of the wall clock.
    now: Option<i64>,
    requests: Vec<Recorded>,
}

/// A request as it reached the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub uri: String,
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, or `Null`.
    pub body: Value,
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

/// Lua 5.1's `tostring(number)`: `%.14g`, which is what Redis ends up holding.
fn lua_number_string(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    // `{:.13e}` keeps 14 significant digits; parsing it back and printing the shortest form
    // drops the trailing zeros `%g` drops.
    let rounded: f64 = format!("{x:.13e}").parse().unwrap_or(x);
    format!("{rounded}")
}

/// Lua's `tonumber` on a JSON value: numbers and numeric strings.
fn lua_tonumber(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// cjson's encoding of a number read back with `tonumber`: integers without a fraction.
fn json_number(stored: &str) -> Value {
    match stored.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && x.abs() < 1e15 => json!(x as i64),
        Ok(x) => json!(x),
        Err(_) => Value::Null,
    }
}

/// A value the Lua handler would `hmset` as a string (strings as is, numbers via `tostring`).
fn lua_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(lua_number_string),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The server's `is_valid_field` / `is_valid_key_field`: a non-empty string without `:` (the
/// character Redis keys are built with).
fn valid_field(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty() && !s.contains(':'))
}

impl StoredProgress {
    fn to_json(&self, document: &str) -> Value {
        let mut m = Map::new();
        m.insert("percentage".into(), json_number(&self.percentage));
        m.insert("device".into(), json!(self.device));
        m.insert("document".into(), json!(document));
        if let Some(id) = &self.device_id {
            m.insert("device_id".into(), json!(id));
        }
        m.insert("progress".into(), json!(self.progress));
        m.insert("timestamp".into(), json!(self.timestamp));
        Value::Object(m)
    }
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

    /// Fix the server clock (epoch seconds) used for `timestamp`; `None` = the wall clock.
    pub fn set_now(&self, now: Option<i64>) {
        self.state().now = now;
    }

    /// What `GET /syncs/progress/:document` answers for a user's document, if it holds any.
    pub fn document(&self, user: &str, document: &str) -> Option<Value> {
        self.state().docs.get(&(user.to_owned(), document.to_owned())).map(|d| d.to_json(document))
    }

    /// A device pushing its position now, as KOReader's own PUT would.
    pub fn push(&self, user: &str, document: &str, percentage: f64, progress: &str, device: &str) {
        let mut st = self.state();
        let timestamp = st.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
        st.docs.insert(
            (user.into(), document.into()),
            StoredProgress {
                percentage: lua_number_string(percentage),
                progress: progress.into(),
                device: device.into(),
                device_id: Some(md5_hex(device).to_uppercase()[..8].to_owned()),
                timestamp,
            },
        );
    }

    /// Every request in order, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.state().requests.iter().map(|r| format!("{} {}", r.method, r.uri)).collect()
    }

    /// Every request in order, with headers and body.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.state().requests.clone()
    }
}

impl KosyncBuilder {
    /// A registered user; KOReader registers md5(password) as the key.
    pub fn user(self, name: &str, password: &str) -> Self {
        self.user_key(name, &md5_hex(password))
    }

    /// A registered user whose key is exactly `key` (what `POST /users/create` stored).
    pub fn user_key(mut self, name: &str, key: &str) -> Self {
        self.state.users.insert(name.into(), key.into());
        self
    }

    /// Progress a KOReader device pushed for an EPUB `document` (`timestamp` in epoch seconds).
    pub fn progress(mut self, user: &str, document: &str, percentage: f64, timestamp: i64) -> Self {
        self.state.docs.insert(
            (user.into(), document.into()),
            StoredProgress {
                percentage: lua_number_string(percentage),
                progress: "/body/DocFragment[20]/body/p[22]/img.0".into(),
                device: "PocketBook".into(),
                device_id: Some("8C1A0F00".into()),
                timestamp,
            },
        );
        self
    }

    /// `POST /users/create` answers 402 `{code:2005}`, as on a server whose admin closed
    /// registration.
    pub fn registration_disabled(mut self) -> Self {
        self.state.registration_disabled = true;
        self
    }

    /// Behind a reverse proxy that drops the Accept header (every request then gets 412).
    pub fn behind_proxy_stripping_accept(mut self) -> Self {
        self.state.strip_accept = true;
        self
    }

    pub fn missing_as_404(mut self) -> Self {
        self.state.missing_as_404 = true;
        self
    }

    pub async fn start(self) -> std::io::Result<KosyncEmulator> {
        let state = Arc::new(Mutex::new(self.state));
        let router = Router::new().fallback(handle).with_state(state.clone());
        Ok(KosyncEmulator { server: RunningServer::serve(router, 0).await?, state })
    }
}

type St = State<Arc<Mutex<KosyncState>>>;

fn lock(state: &Arc<Mutex<KosyncState>>) -> MutexGuard<'_, KosyncState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// The routes nginx passes to the app.
enum Route {
    Healthcheck,
    CreateUser,
    Auth,
    GetProgress(String),
    PutProgress,
}

fn route(method: &Method, path: &str) -> Option<Route> {
    // The reference server's locations accept one trailing slash.
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    match (method, path) {
        (&Method::GET, "/healthcheck") => Some(Route::Healthcheck),
        (&Method::POST, "/users/create") => Some(Route::CreateUser),
        (&Method::GET, "/users/auth") => Some(Route::Auth),
        (&Method::PUT, "/syncs/progress") => Some(Route::PutProgress),
        (&Method::GET, p) => {
            let doc = p.strip_prefix("/syncs/progress/")?;
            (!doc.is_empty() && doc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                .then(|| Route::GetProgress(doc.to_owned()))
        }
        _ => None,
    }
}

/// The app's `{code, message}` error answer.
struct Refusal(StatusCode, u16, &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let Refusal(status, code, message) = self;
        (status, [(header::CONTENT_TYPE, "application/json")], json!({"code": code, "message": message}).to_string())
            .into_response()
    }
}

fn error(status: StatusCode, code: u16, message: &'static str) -> Response {
    Refusal(status, code, message).into_response()
}

fn ok(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html")], NGINX_404).into_response()
}

/// The app's Accept check: `application/vnd.koreader.vN+json`, N = 1.
fn check_accept(headers: &HeaderMap) -> Result<(), Refusal> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
    if accept.is_empty() {
        return Err(Refusal(StatusCode::PRECONDITION_FAILED, 100, "Accept header not set."));
    }
    let version = accept
        .strip_prefix("application/vnd.koreader.v")
        .and_then(|rest| rest.strip_suffix("+json"))
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
    match version {
        None => Err(Refusal(StatusCode::PRECONDITION_FAILED, 101, "Invalid Accept header format.")),
        Some("1") => Ok(()),
        Some(_) => {
            Err(Refusal(StatusCode::PRECONDITION_FAILED, 102, "Unsupported version specified in the Accept header."))
        }
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The authorized user, or the 401 the server answers.
fn authorize(st: &KosyncState, headers: &HeaderMap) -> Result<String, Refusal> {
    let user = header_str(headers, "x-auth-user");
    let key = header_str(headers, "x-auth-key");
    match st.users.get(user) {
        Some(k) if !user.is_empty() && !key.is_empty() && k == key => Ok(user.to_owned()),
        _ => Err(Refusal(StatusCode::UNAUTHORIZED, 2001, "Unauthorized")),
    }
}

/// The body as the Lua app sees it: `Err` with the 400 it answers when it is not a JSON hash.
fn json_hash(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        // An empty body is an empty hash to the app (its fields then fail validation).
        Err(_) if body.trim_ascii().is_empty() => Ok(Map::new()),
        Ok(_) => Err(Refusal(StatusCode::BAD_REQUEST, 104, "Body should be a JSON hash.")),
        Err(_) => Err(Refusal(StatusCode::BAD_REQUEST, 103, "Could not parse JSON in body.")),
    }
}

async fn handle(State(state): St, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut st = lock(&state);
    st.requests.push(Recorded {
        method: method.to_string(),
        uri: uri.path_and_query().map_or_else(|| uri.path().to_owned(), ToString::to_string),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let Some(route) = route(&method, uri.path()) else { return not_found() };
    let mut headers = headers;
    if st.strip_accept {
        headers.remove(header::ACCEPT);
    }
    if let Err(r) = check_accept(&headers) {
        return r.into_response();
    }
    match route {
        Route::Healthcheck => ok(StatusCode::OK, json!({"state": "OK"})),
        Route::CreateUser => create_user(&mut st, &body),
        Route::Auth => match authorize(&st, &headers) {
            Err(r) => r.into_response(),
            Ok(_) => faulty(st.fault, &json!({"authorized":"OK"}))
                .unwrap_or_else(|| ok(StatusCode::OK, json!({"authorized":"OK"}))),
        },
        Route::GetProgress(document) => match authorize(&st, &headers) {
            Err(r) => r.into_response(),
            Ok(user) => get_progress(&st, &user, &document),
        },
        Route::PutProgress => match authorize(&st, &headers) {
            Err(r) => r.into_response(),
            Ok(user) => put_progress(&mut st, user, &body),
        },
    }
}

fn create_user(st: &mut KosyncState, body: &[u8]) -> Response {
    let b = match json_hash(body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    if st.registration_disabled {
        return error(StatusCode::PAYMENT_REQUIRED, 2005, "User registration is disabled.");
    }
    let (Some(user), Some(key)) = (
        valid_field(b.get("username").unwrap_or(&Value::Null)),
        valid_field(b.get("password").unwrap_or(&Value::Null)),
    ) else {
        return error(StatusCode::FORBIDDEN, 2003, "Invalid request");
    };
    if st.users.contains_key(user) {
        return error(StatusCode::PAYMENT_REQUIRED, 2002, "Username is already registered.");
    }
    st.users.insert(user.to_owned(), key.to_owned());
    ok(StatusCode::CREATED, json!({ "username": user }))
}

fn get_progress(st: &KosyncState, user: &str, document: &str) -> Response {
    let body = match st.docs.get(&(user.to_owned(), document.to_owned())) {
        Some(d) => d.to_json(document),
        None if st.missing_as_404 => return error(StatusCode::NOT_FOUND, 404, "Document not found"),
        None => json!({}),
    };
    faulty(st.fault, &body).unwrap_or_else(|| ok(StatusCode::OK, body))
}

fn put_progress(st: &mut KosyncState, user: String, body: &[u8]) -> Response {
    let b = match json_hash(body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    if let Some(r) = faulty(st.fault, &json!({})) {
        return r;
    }
    let null = Value::Null;
    let field = |k: &str| b.get(k).unwrap_or(&null);
    let Some(document) = valid_field(field("document")) else {
        return error(StatusCode::FORBIDDEN, 2004, "Field 'document' not provided.");
    };
    let (Some(percentage), Some(progress), Some(device)) =
        (lua_tonumber(field("percentage")), lua_string(field("progress")), lua_string(field("device")))
    else {
        return error(StatusCode::FORBIDDEN, 2003, "Invalid request");
    };
    let timestamp = st.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let entry = st.docs.entry((user, document.to_owned())).or_default();
    // HMSET: the fields sent replace the stored ones, the others (device_id) stay.
    entry.percentage = lua_number_string(percentage);
    entry.progress = progress;
    entry.device = device;
    if let Some(id) = lua_string(field("device_id")) {
        entry.device_id = Some(id);
    }
    entry.timestamp = timestamp;
    ok(StatusCode::OK, json!({"timestamp": timestamp, "document": document}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_kept_to_fourteen_significant_digits() {
        assert_eq!(lua_number_string(0.123_456_789_012_345_66), "0.12345678901235");
        assert_eq!(lua_number_string(1.0), "1", "a whole number has no decimals in Lua");
        assert_eq!(json_number("1"), json!(1), "1 comes back as the integer 1");
        assert_eq!(lua_number_string(0.3188), "0.3188");
    }
}
