//! Revenge (documented-only: its design documents plan these endpoints, no server has them yet).
//!
//! Assumed shapes, kept small so they are easy to adjust once a server exists (also in
//! `docs/sources.md`):
//! - `POST /api/v1/auth/login {username, password}` and `POST /api/v1/auth/refresh {refresh_token}`
//!   → `{access_token, refresh_token, expires_in}`; or a static token configured as `api_key`.
//! - `GET /api/v1/books?page=N&per_page=M` (page from 1) → `{items: [Book], page, per_page, total}`,
//!   Book = `{id, title, subtitle?, authors: [string], isbn?, asin?, format: audio|ebook|comic|physical}`.
//! - `GET /api/v1/books/:id/progress` → `{fraction, position?, total?, finished, started_at?,
//!   finished_at?, updated_at?}` (RFC 3339; position/total in seconds for audio, pages otherwise),
//!   404 when the user has none.
//! - `PUT /api/v1/books/:id/progress` with the same fields.

use async_trait::async_trait;
use futures::StreamExt as _;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;
use url::Url;

use super::http::{Http, Reply};
use super::model::{Format, ProgressSource, SourceError, SourceItem, WriteBack};
use super::normalize;
use super::parse::{ParseError, json, lenient_f64};
use crate::identifiers;
use crate::secret::Secret;

const PAGE_SIZE: usize = 100;
const MAX_PAGES: usize = 10_000;
const CONCURRENT_LOOKUPS: usize = 8;

pub enum Auth {
    Token(Secret),
    Login { username: String, password: Secret },
}

pub struct Revenge {
    http: Http,
    auth: Auth,
    tokens: Mutex<Option<Tokens>>,
}

#[derive(Clone)]
struct Tokens {
    access: Secret,
    refresh: Option<Secret>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
}

fn parse_tokens(body: &[u8]) -> Result<Tokens, ParseError> {
    let t: TokenReply = json(body)?;
    Ok(Tokens { access: Secret::new(t.access_token), refresh: t.refresh_token.map(Secret::new) })
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RevengeBook {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub isbn: Option<String>,
    #[serde(default)]
    pub asin: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RevengePage {
    pub items: Vec<RevengeBook>,
    #[serde(default)]
    pub total: Option<u64>,
}

pub fn parse_books_page(body: &[u8]) -> Result<RevengePage, ParseError> {
    json(body)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RevengeProgress {
    #[serde(deserialize_with = "lenient_f64::deserialize")]
    pub fraction: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub position: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub total: Option<f64>,
    #[serde(default)]
    pub finished: bool,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

pub fn parse_progress(body: &[u8]) -> Result<RevengeProgress, ParseError> {
    json(body)
}

pub fn to_source_item(source: &str, book: &RevengeBook, p: &RevengeProgress) -> Result<SourceItem, String> {
    let fraction = normalize::fraction(if p.finished { 1.0 } else { p.fraction.unwrap_or(0.0) })?;
    let format = match book.format.as_deref().unwrap_or("ebook") {
        "audio" | "audiobook" => Format::Audio,
        "comic" => Format::Comic,
        "physical" => Format::Physical,
        _ => Format::Ebook,
    };
    let isbns = book.isbn.as_deref().map(identifiers::isbns).unwrap_or_default();
    Ok(SourceItem {
        source: source.into(),
        id: book.id.clone(),
        title: normalize::text(book.title.as_deref()).unwrap_or_else(|| "(untitled)".into()),
        subtitle: normalize::text(book.subtitle.as_deref()),
        authors: book.authors.iter().filter_map(|a| normalize::text(Some(a))).collect(),
        isbn13: isbns.isbn13,
        isbn10: isbns.isbn10,
        asin: book.asin.as_deref().and_then(identifiers::asin),
        format,
        fraction,
        position: normalize::amount(p.position),
        total: normalize::amount(p.total),
        started_at: normalize::from_iso(p.started_at.as_deref()),
        finished_at: if p.finished { normalize::from_iso(p.finished_at.as_deref()) } else { None },
        is_finished: p.finished,
        updated_at: normalize::from_iso(p.updated_at.as_deref()),
        rating: None,
    })
}

impl Revenge {
    pub fn new(name: &str, url: &Url, auth: Auth) -> Result<Self, SourceError> {
        let tokens = match &auth {
            Auth::Token(t) => Some(Tokens { access: t.clone(), refresh: None }),
            Auth::Login { .. } => None,
        };
        Ok(Self { http: Http::new(name, url)?, auth, tokens: Mutex::new(tokens) })
    }

    async fn login(&self) -> Result<Tokens, SourceError> {
        let Auth::Login { username, password } = &self.auth else {
            // A static token that the server refused: nothing to renew it with.
            return Err(SourceError::Unauthorized { source_name: self.http.name.clone(), status: 401 });
        };
        let body = json!({"username": username, "password": password.expose()});
        let reply = self.http.send(self.http.post("/api/v1/auth/login").json(&body)).await?;
        self.http.parse(&reply, parse_tokens)
    }

    /// New tokens after a 401: refresh when we have a refresh token, else log in again.
    async fn renew(&self, old: &Tokens) -> Result<Tokens, SourceError> {
        if let Some(refresh) = &old.refresh {
            let body = json!({"refresh_token": refresh.expose()});
            let reply = self.http.fetch(self.http.post("/api/v1/auth/refresh").json(&body)).await?;
            if reply.status.is_success() {
                return self.http.parse(&reply, parse_tokens);
            }
        }
        self.login().await
    }

    async fn current(&self) -> Result<Tokens, SourceError> {
        let mut guard = self.tokens.lock().await;
        if let Some(t) = guard.as_ref() {
            return Ok(t.clone());
        }
        let t = self.login().await?;
        *guard = Some(t.clone());
        Ok(t)
    }

    /// Single-flight renewal: refresh tokens rotate, so concurrent 401s must not each refresh.
    async fn renewed(&self, rejected: &Tokens) -> Result<Tokens, SourceError> {
        let mut guard = self.tokens.lock().await;
        if let Some(t) = guard.as_ref().filter(|t| t.access != rejected.access) {
            return Ok(t.clone());
        }
        let t = self.renew(rejected).await?;
        *guard = Some(t.clone());
        Ok(t)
    }

    async fn send(&self, make: impl Fn() -> reqwest::RequestBuilder) -> Result<Reply, SourceError> {
        let tokens = self.current().await?;
        let reply = self.http.fetch(make().bearer_auth(tokens.access.expose())).await?;
        if reply.status.as_u16() != 401 {
            return Ok(reply);
        }
        let fresh = self.renewed(&tokens).await?;
        self.http.fetch(make().bearer_auth(fresh.access.expose())).await
    }
}

#[async_trait]
impl ProgressSource for Revenge {
    fn name(&self) -> &str {
        &self.http.name
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        let mut books = Vec::new();
        for page in 1..=MAX_PAGES {
            let reply = self
                .send(|| {
                    self.http
                        .get("/api/v1/books")
                        .query(&[("page", page.to_string()), ("per_page", PAGE_SIZE.to_string())])
                })
                .await?;
            let got = self.http.parse(&self.http.check(reply)?, parse_books_page)?;
            let n = got.items.len();
            books.extend(got.items);
            if n < PAGE_SIZE || got.total.is_some_and(|t| books.len() as u64 >= t) {
                break;
            }
            if page == MAX_PAGES {
                return Err(self.http.other(format!("the book list did not end after {MAX_PAGES} pages")));
            }
        }
        let results: Vec<Result<Option<SourceItem>, SourceError>> = futures::stream::iter(books)
            .map(|book| async move {
                let reply = self.send(|| self.http.get(&format!("/api/v1/books/{}/progress", book.id))).await?;
                if reply.status.as_u16() == 404 {
                    return Ok(None);
                }
                let p = self.http.parse(&self.http.check(reply)?, parse_progress)?;
                Ok(match to_source_item(self.name(), &book, &p) {
                    Ok(i) => Some(i),
                    Err(reason) => {
                        tracing::warn!(source = self.name(), book = %book.id, "skipping: {reason}");
                        None
                    }
                })
            })
            .buffered(CONCURRENT_LOOKUPS)
            .collect()
            .await;
        results.into_iter().filter_map(Result::transpose).collect()
    }

    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        let body = match update {
            WriteBack::Finished { finished_at } => json!({
                "fraction": 1.0, "finished": true,
                "finished_at": finished_at.map(|t| t.to_rfc3339()),
            }),
            WriteBack::Progress { fraction, position } => {
                let fraction = normalize::fraction(*fraction).map_err(|e| self.http.other(e))?;
                json!({"fraction": fraction, "position": position, "finished": false})
            }
        };
        let reply = self.send(|| self.http.put(&format!("/api/v1/books/{item_id}/progress")).json(&body)).await?;
        self.http.check(reply)?;
        Ok(())
    }
}
