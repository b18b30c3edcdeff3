//! The HTTP face: `POST /v1/graphql` with Hardcover's auth, limits, scopes and error shapes;
//! `/covers/<id>.png`; and the `/__emulator/*` control endpoints.

use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::app::HardcoverState;
use super::covers::cover_png;
use super::graphql::parse::{PrepareError, prepare};
use super::graphql::project::project;
use super::graphql::{GqlError, OpKind, Sel, filter};
use super::knobs::Fault;
use super::limits::{Snapshot, Verdict};
use super::resolvers::{Ctx, mutation, query, required_scope};

pub const GRAPHQL_PATH: &str = "/v1/graphql";

pub fn router(state: HardcoverState) -> Router {
    Router::new()
        .route(GRAPHQL_PATH, post(graphql))
        .route("/covers/{file}", get(cover))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/reset", post(reset))
        .route("/__emulator/today", post(set_today))
        .route("/__emulator/knobs", post(set_knobs))
        .with_state(state)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn auth_error(status: StatusCode, error: &str, description: String) -> Response {
    json_response(status, json!({"error": error, "error_description": description}))
}

async fn graphql(State(st): State<HardcoverState>, headers: HeaderMap, body: Bytes) -> Response {
    st.with_stats(|s| s.requests += 1);
    let latency = st.knobs().latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match st.knobs().next_fault() {
        Some(fault) => {
            st.with_stats(|s| s.faults_injected += 1);
            fault_response(fault).await
        }
        None => {
            let mutations_before = st.stats().mutations;
            let response = handle(&st, &headers, &body);
            let applied_mutation = st.stats().mutations > mutations_before;
            if applied_mutation && response.status().is_success() && st.knobs().take_lost_mutation_answer() {
                st.with_stats(|s| s.faults_injected += 1);
                fault_response(Fault::Drop).await
            } else {
                response
            }
        }
    };
    let code = response.status().as_u16();
    st.with_stats(|s| *s.status_codes.entry(code).or_default() += 1);
    response
}

async fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            json_response(
                status,
                json!({"error": status.canonical_reason().unwrap_or("error"), "error_description": "injected by the emulator"}),
            )
        }
        Fault::Timeout(d) => {
            tokio::time::sleep(d).await;
            auth_error(StatusCode::REQUEST_TIMEOUT, "timeout", "query timed out".into())
        }
        Fault::Drop => {
            // Headers and half a body, then the connection breaks.
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"{\"data\":{\"me\":[")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected drop")),
            ];
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(futures::stream::iter(chunks)))
                .expect("static response parts are valid")
        }
        Fault::RateLimited { retry_after } => {
            let mut r = auth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("rate limit exceeded, retry in {retry_after}s"),
            );
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            r
        }
    }
}

/// The bearer token, accepting any case of the scheme name.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(char::is_whitespace)?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn handle(st: &HardcoverState, headers: &HeaderMap, body: &[u8]) -> Response {
    let Some(token) = bearer(headers) else {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "missing Authorization: Bearer <token> header".into(),
        );
    };
    let Some(grant) = st.tokens().check(token) else {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the access token is invalid, expired or revoked".into(),
        );
    };
    let user = grant.user_id;
    let mut response = run(st, &grant, headers, body);
    let snapshot = st.limiter().peek(user, Instant::now());
    add_limit_headers(st, response.headers_mut(), snapshot);
    response
}

fn add_limit_headers(st: &HardcoverState, h: &mut HeaderMap, s: Snapshot) {
    let limits = st.limiter().limits().clone();
    let mut put = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    put("ratelimit-policy", limits.policy_header());
    put(
        "ratelimit",
        format!(
            "\"{}\";r={};t={}, \"daily\";r={};t={}",
            limits.policy, s.minute_remaining, s.minute_reset, s.daily_remaining, s.daily_reset
        ),
    );
    put("x-ratelimit-limit", limits.per_minute.to_string());
    put("x-ratelimit-remaining", s.minute_remaining.to_string());
    put("x-ratelimit-reset", s.minute_reset.to_string());
}

/// Count of billable top-level fields (`__typename` is free).
fn billable(fields: &[Sel]) -> usize {
    fields.iter().filter(|f| f.name != "__typename").count()
}

fn run(st: &HardcoverState, grant: &super::tokens::Grant, headers: &HeaderMap, body: &[u8]) -> Response {
    let invalid = |msg: String| auth_error(StatusCode::BAD_REQUEST, "invalid_query", msg);
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return invalid(format!("the body is not JSON: {e}")),
    };
    let Some(query) = request.get("query").and_then(Value::as_str) else {
        return invalid("the body has no \"query\" string".into());
    };
    let variables = match request.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return invalid("\"variables\" must be an object".into()),
    };
    let op_name = request.get("operationName").and_then(Value::as_str);
    let op = match prepare(query, op_name, &variables) {
        Ok(op) => op,
        Err(PrepareError::Syntax(e)) => return invalid(format!("not a valid GraphQL document: {e}")),
        Err(PrepareError::Invalid(e)) => return json_response(StatusCode::OK, e.to_json()),
    };
    if op.kind == OpKind::Subscription {
        return auth_error(
            StatusCode::FORBIDDEN,
            "unsupported_operation",
            "subscriptions are not supported over HTTP".into(),
        );
    }
    let count = billable(&op.fields);
    let max = st.limiter().limits().max_top_level;
    let has_search = op.fields.iter().any(|f| f.name == "search");
    if count > max || (has_search && count > 1) {
        let description = if has_search {
            "a search must be the only top-level field of its operation".to_string()
        } else {
            format!("{count} top-level fields in one operation; at most {max} are allowed")
        };
        return json_response(
            StatusCode::FORBIDDEN,
            json!({"error": "top_level_limit_exceeded", "error_description": description, "limit": if has_search { 1 } else { max }}),
        );
    }
    if let Verdict::Limited { retry_after, .. } = st.limiter().charge(grant.user_id, count as u32, Instant::now()) {
        let mut r = json_response(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"error": "too_many_requests", "error_description": format!("rate limit exceeded, retry in {retry_after}s"), "retry_after": retry_after}),
        );
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return r;
    }
    let is_mutation = op.kind == OpKind::Mutation;
    for f in &op.fields {
        if let Some(scope) = required_scope(is_mutation, &f.name)
            && !grant.has_scope(scope)
        {
            return json_response(
                StatusCode::FORBIDDEN,
                json!({"error": "insufficient_scope", "scope": scope, "error_description": format!("'{}' needs the {scope} scope, which this token lacks", f.name)}),
            );
        }
    }
    if let Some(op_name) = op.fields.iter().find_map(|f| find_disabled_in(f)) {
        let e = GqlError::validation(
            "$",
            format!(
                "field '{op_name}' not found in type: 'String_comparison_exp' (the operator is disabled on this API)"
            ),
        );
        return json_response(StatusCode::OK, e.to_json());
    }
    st.with_stats(|s| {
        if is_mutation {
            s.mutations += 1
        } else {
            s.queries += 1
        }
        for f in &op.fields {
            *s.top_level_fields.entry(f.name.clone()).or_default() += 1;
        }
    });
    let base = base_url(headers);
    let mut db = st.db();
    let mut data = Map::new();
    for f in &op.fields {
        let node = if is_mutation {
            mutation::resolve(&mut db, grant.user_id, &base, f)
        } else {
            query::resolve(&Ctx::new(&db, grant.user_id, &base), f)
        };
        let value = node.and_then(|n| project(&Ctx::new(&db, grant.user_id, &base), n, f));
        match value {
            Ok(v) => {
                data.insert(f.key.clone(), v);
            }
            Err(e) => return json_response(StatusCode::OK, e.to_json()),
        }
    }
    json_response(StatusCode::OK, json!({"data": data}))
}

fn find_disabled_in(sel: &Sel) -> Option<&'static str> {
    sel.args.values().find_map(filter::find_disabled).or_else(|| sel.children.iter().find_map(find_disabled_in))
}

async fn cover(Path(file): Path<String>) -> Response {
    match file.strip_suffix(".png").and_then(|id| id.parse::<i64>().ok()) {
        Some(id) => {
            ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], cover_png(id))
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn stats(State(st): State<HardcoverState>) -> Response {
    json_response(StatusCode::OK, serde_json::to_value(st.stats()).unwrap_or(Value::Null))
}

async fn reset(State(st): State<HardcoverState>) -> Response {
    st.reset_stats();
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn set_today(State(st): State<HardcoverState>, body: Bytes) -> Response {
    let day = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("today").and_then(Value::as_str).map(String::from))
        .and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    match day {
        Some(d) => {
            st.set_today(d);
            json_response(StatusCode::OK, json!({"today": d}))
        }
        None => json_response(StatusCode::BAD_REQUEST, json!({"error": "expected {\"today\": \"YYYY-MM-DD\"}"})),
    }
}

/// `{"latency_ms": 200, "fault_rate": 0.1, "faults": ["503", "drop"], "seed": 7,
///   "fail_next": {"count": 3, "fault": "429"}}`; every key optional, `{}` clears all knobs.
async fn set_knobs(State(st): State<HardcoverState>, body: Bytes) -> Response {
    let Ok(Value::Object(k)) = serde_json::from_slice::<Value>(&body) else {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "expected a JSON object"}));
    };
    let faults = |v: Option<&Value>| -> Result<Vec<Fault>, String> {
        let names: Vec<Value> = match v {
            None => vec![],
            Some(Value::Array(a)) => a.clone(),
            Some(one) => vec![one.clone()],
        };
        names.iter().map(|n| n.as_str().and_then(Fault::parse).ok_or_else(|| format!("unknown fault {n}"))).collect()
    };
    let knobs = st.knobs();
    if k.is_empty() {
        knobs.clear();
    }
    if let Some(ms) = k.get("latency_ms").and_then(Value::as_u64) {
        knobs.set_latency(std::time::Duration::from_millis(ms));
    }
    if let Some(rate) = k.get("fault_rate").and_then(Value::as_f64) {
        match faults(k.get("faults")) {
            Ok(kinds) => knobs.set_fault_rate(rate, kinds, k.get("seed").and_then(Value::as_u64).unwrap_or(0)),
            Err(e) => return json_response(StatusCode::BAD_REQUEST, json!({"error": e})),
        }
    }
    if let Some(next) = k.get("fail_next") {
        let count = next.get("count").and_then(Value::as_u64).unwrap_or(1) as usize;
        match faults(next.get("fault")) {
            Ok(kinds) if kinds.len() == 1 => knobs.fail_next(count, kinds[0].clone()),
            Ok(_) => return json_response(StatusCode::BAD_REQUEST, json!({"error": "fail_next needs one fault"})),
            Err(e) => return json_response(StatusCode::BAD_REQUEST, json!({"error": e})),
        }
    }
    json_response(StatusCode::OK, json!({"ok": true}))
}
