//! A Hardcover stand-in for the auth tests: the OAuth emulator plus two tiny protected endpoints
//! (standing in for GraphQL) that check bearer tokens against the same TokenRegistry.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hardcover_sync::auth::{Account, AccountProbe, Auth, MemoryStore, OAuthSettings, Opener, ProbeError, TokenStore};
use hardcover_sync::hardcover::TokenProvider;
use hardcover_sync::secret::Secret;
use hardcover_sync_emulators::RunningServer;
use hardcover_sync_emulators::hardcover::tokens::{Grant, TokenRegistry};
use hardcover_sync_emulators::oauth::{self, Client, OAuthState};
use serde_json::json;
use url::Url;

pub const CLIENT_ID: &str = "hardcover-sync-test";
pub const USER_ID: i64 = 4242;
pub const ISSUER: &str = "https://api.hardcover.app";

pub struct Hardcover {
    pub server: RunningServer,
    pub oauth: OAuthState,
    pub registry: TokenRegistry,
}

impl Hardcover {
    pub async fn start() -> Self {
        let registry = TokenRegistry::default();
        let client = Client { client_id: CLIENT_ID.into(), redirect_uris: vec!["http://127.0.0.1/callback".into()] };
        let oauth = OAuthState::new(registry.clone(), vec![client], USER_ID).with_issuer(ISSUER);
        let protected = axum::Router::new()
            .route("/me", get(me))
            .route("/write-probe", post(write_probe))
            .with_state(registry.clone());
        let server = RunningServer::serve(oauth::router(oauth.clone()).merge(protected), 0).await.unwrap();
        Self { server, oauth, registry }
    }

    pub fn base(&self) -> Url {
        Url::parse(&self.server.base_url()).unwrap()
    }

    pub fn settings(&self) -> OAuthSettings {
        OAuthSettings::for_base_url(&self.base(), CLIENT_ID, ISSUER)
    }

    pub fn probe(&self) -> Probe {
        Probe { base: self.base(), http: reqwest::Client::new() }
    }

    /// An `Auth` over an in-memory store; the store is returned to look inside.
    pub fn auth(&self) -> (Auth, Arc<MemoryStore>) {
        let store = Arc::new(MemoryStore::new());
        (Auth::new(self.settings(), store.clone() as Arc<dyn TokenStore>), store)
    }

    /// GET /me the way the Hardcover client will: token from the provider, one retry after a 401.
    pub async fn call_me(&self, provider: &dyn TokenProvider) -> Result<Account, String> {
        let probe = self.probe();
        let token = provider.access_token().await.map_err(|e| e.to_string())?;
        match probe.me(&token).await {
            Err(ProbeError::Unauthorized) => {
                let retry = provider.refresh_after_unauthorized(&token).await.map_err(|e| e.to_string())?;
                probe.me(&retry).await.map_err(|e| e.to_string())
            }
            other => other.map_err(|e| e.to_string()),
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")
}

fn grant(reg: &TokenRegistry, headers: &HeaderMap) -> Option<Grant> {
    bearer(headers).and_then(|t| reg.check(t))
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid-jwt"}))).into_response()
}

async fn me(State(reg): State<TokenRegistry>, headers: HeaderMap) -> Response {
    match grant(&reg, &headers) {
        Some(g) => Json(json!({"id": g.user_id, "username": format!("reader{}", g.user_id)})).into_response(),
        None => unauthorized(),
    }
}

async fn write_probe(State(reg): State<TokenRegistry>, headers: HeaderMap) -> Response {
    match grant(&reg, &headers) {
        Some(g) if g.has_scope("write:library") => Json(json!({"ok": true})).into_response(),
        Some(_) => (StatusCode::FORBIDDEN, Json(json!({"error": "insufficient_scope"}))).into_response(),
        None => unauthorized(),
    }
}

/// The coordinator implements `AccountProbe` with the GraphQL client; here it is two HTTP calls.
pub struct Probe {
    base: Url,
    http: reqwest::Client,
}

#[async_trait]
impl AccountProbe for Probe {
    async fn me(&self, token: &Secret) -> Result<Account, ProbeError> {
        let r = self
            .http
            .get(self.base.join("/me").unwrap())
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|e| ProbeError::Other(e.to_string()))?;
        if r.status() == StatusCode::UNAUTHORIZED {
            return Err(ProbeError::Unauthorized);
        }
        let v: serde_json::Value = r.json().await.map_err(|e| ProbeError::Other(e.to_string()))?;
        Ok(Account { user_id: v["id"].as_i64().unwrap(), username: v["username"].as_str().unwrap().to_owned() })
    }

    async fn can_write(&self, token: &Secret) -> Result<bool, ProbeError> {
        let r = self
            .http
            .post(self.base.join("/write-probe").unwrap())
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|e| ProbeError::Other(e.to_string()))?;
        match r.status() {
            StatusCode::OK => Ok(true),
            StatusCode::FORBIDDEN => Ok(false),
            StatusCode::UNAUTHORIZED => Err(ProbeError::Unauthorized),
            s => Err(ProbeError::Other(format!("write probe answered {s}"))),
        }
    }
}

/// What the scripted browser saw.
#[derive(Debug, Default, Clone)]
pub struct Visit {
    pub authorize_url: Option<Url>,
    pub callback_url: Option<Url>,
    pub page_status: Option<u16>,
    pub page: Option<String>,
}

/// A "browser" that follows the authorize URL's redirect to the loopback callback, like a user
/// whose consent is automatic. `tamper_authorize` / `tamper_callback` let tests play attacker.
pub struct ScriptedBrowser {
    pub visit: Arc<Mutex<Visit>>,
    pub done: Arc<tokio::sync::Notify>,
}

type Tamper = Arc<dyn Fn(Url) -> Url + Send + Sync>;

impl ScriptedBrowser {
    pub fn new() -> Self {
        Self { visit: Arc::default(), done: Arc::new(tokio::sync::Notify::new()) }
    }

    pub fn opener(&self) -> Opener {
        self.opener_with(Arc::new(|u| u), Arc::new(|u| u))
    }

    pub fn opener_with(&self, tamper_authorize: Tamper, tamper_callback: Tamper) -> Opener {
        let visit = Arc::clone(&self.visit);
        let done = Arc::clone(&self.done);
        Arc::new(move |url: &Url| {
            let (url, visit, done) = (url.clone(), Arc::clone(&visit), Arc::clone(&done));
            let (ta, tc) = (Arc::clone(&tamper_authorize), Arc::clone(&tamper_callback));
            tokio::spawn(async move {
                let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
                visit.lock().unwrap().authorize_url = Some(url.clone());
                let r = http.get(ta(url)).send().await.unwrap();
                assert_eq!(r.status(), 302, "authorize must redirect back to the app");
                let location = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
                let callback = tc(location);
                visit.lock().unwrap().callback_url = Some(callback.clone());
                if let Ok(page) = http.get(callback).send().await {
                    let status = page.status().as_u16();
                    let text = page.text().await.unwrap_or_default();
                    let mut v = visit.lock().unwrap();
                    v.page_status = Some(status);
                    v.page = Some(text);
                }
                done.notify_one();
            });
            Ok(())
        })
    }

    pub fn visit(&self) -> Visit {
        self.visit.lock().unwrap().clone()
    }
}

pub fn replace_param(url: Url, key: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == key { value.to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

pub fn param(url: &Url, key: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

/// A loopback URL nothing listens on (for "offline").
pub fn dead_url(path: &str) -> Url {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    Url::parse(&format!("http://127.0.0.1:{port}{path}")).unwrap()
}
