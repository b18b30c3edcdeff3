//! Every request an emulator was sent and what it answered, whole: for contract tests that check
//! both sides against a server's published API description.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::Value;

/// Bodies larger than this are not kept (a 50,000-book page is read whole by the client anyway).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// One request and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The request body parsed as JSON (`None` when empty or not JSON).
    pub request: Option<Value>,
    pub status: u16,
    pub content_type: String,
    /// The response body parsed as JSON (`None` when empty or not JSON).
    pub response: Option<Value>,
}

/// Shared log of exchanges; clone it into the emulator that records.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Exchange>>>);

impl Recorder {
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `router` with every exchange recorded (outermost, so refusals by auth layers count too).
    pub fn wrap(&self, router: Router) -> Router {
        router.layer(middleware::from_fn_with_state(self.clone(), record))
    }
}

fn json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

async fn record(State(rec): State<Recorder>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let query =
        parts.uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query,
        request: json(&bytes),
        status: 0,
        content_type: String::new(),
        response: None,
    };
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    exchange.status = parts.status.as_u16();
    exchange.content_type =
        parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    exchange.response = json(&bytes);
    rec.0.lock().unwrap_or_else(|p| p.into_inner()).push(exchange);
    Response::from_parts(parts, Body::from(bytes))
}
