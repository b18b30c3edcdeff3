//! Komga (shapes from its 1.x `BookDto` and Spring's `Page`).
//!
//! `POST /api/v1/books/list` with a `readStatus` condition (IN_PROGRESS or READ), paged with
//! `page` (from 0) and `size` until `last`. Komga counts pages, never time; it has no ASIN.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::http::{Http, secret_header};
use super::model::{Format, ProgressSource, SourceError, SourceItem, WriteBack};
use super::normalize;
use super::parse::{ParseError, json};
use crate::identifiers;
use crate::secret::Secret;

const PAGE_SIZE: usize = 500;
const MAX_PAGES: usize = 10_000;

pub struct Komga {
    http: Http,
    key: Secret,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KomgaBook {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub series_title: Option<String>,
    pub media: KomgaMedia,
    pub metadata: KomgaMetadata,
    #[serde(default)]
    pub read_progress: Option<KomgaReadProgress>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KomgaMedia {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub media_profile: Option<String>,
    #[serde(default)]
    pub pages_count: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KomgaMetadata {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub isbn: Option<String>,
    #[serde(default)]
    pub authors: Vec<KomgaAuthor>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KomgaAuthor {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KomgaReadProgress {
    pub page: i64,
    #[serde(default)]
    pub completed: bool,
    #[serde(default)]
    pub read_date: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// One Spring page of books.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KomgaPage {
    pub content: Vec<KomgaBook>,
    #[serde(default)]
    pub last: Option<bool>,
    #[serde(rename = "totalPages", default)]
    pub total_pages: Option<u64>,
    #[serde(default)]
    pub number: Option<u64>,
}

pub fn parse_books_page(body: &[u8]) -> Result<KomgaPage, ParseError> {
    json(body)
}

/// `GET /api/v1/books/{id}`.
pub fn parse_book(body: &[u8]) -> Result<KomgaBook, ParseError> {
    json(body)
}

impl KomgaBook {
    fn format(&self) -> Format {
        let profile = self.media.media_profile.as_deref().unwrap_or_default();
        let mime = self.media.media_type.as_deref().unwrap_or_default();
        // DIVINA is Komga's profile for image archives (CBZ/CBR): comics and manga.
        if profile.eq_ignore_ascii_case("DIVINA")
            || mime.contains("zip") && !mime.contains("epub")
            || mime.contains("rar")
        {
            Format::Comic
        } else {
            Format::Ebook
        }
    }
}

pub fn to_source_item(source: &str, book: &KomgaBook) -> Result<Option<SourceItem>, String> {
    let Some(rp) = &book.read_progress else { return Ok(None) };
    let pages = book.media.pages_count;
    if rp.page < 0 {
        return Err(format!("negative page {}", rp.page));
    }
    let raw = if rp.completed {
        1.0
    } else if pages > 0 {
        rp.page as f64 / pages as f64
    } else {
        return Err("the book has no page count".into());
    };
    let fraction = normalize::fraction(raw)?;
    let md = &book.metadata;
    let writers: Vec<String> = md
        .authors
        .iter()
        .filter(|a| {
            a.role.as_deref().is_none_or(|r| r.eq_ignore_ascii_case("writer") || r.eq_ignore_ascii_case("author"))
        })
        .filter_map(|a| normalize::text(Some(&a.name)))
        .collect();
    let authors = if writers.is_empty() {
        md.authors.iter().filter_map(|a| normalize::text(Some(&a.name))).collect()
    } else {
        writers
    };
    let isbns = md.isbn.as_deref().map(identifiers::isbns).unwrap_or_default();
    let total = (pages > 0).then_some(pages as f64);
    Ok(Some(SourceItem {
        source: source.into(),
        id: book.id.clone(),
        title: normalize::text(md.title.as_deref())
            .or_else(|| normalize::text(book.name.as_deref()))
            .unwrap_or_else(|| "(untitled)".into()),
        subtitle: None,
        authors,
        isbn13: isbns.isbn13,
        isbn10: isbns.isbn10,
        asin: None,
        format: book.format(),
        fraction,
        position: if rp.completed { total } else { Some(rp.page as f64) },
        total,
        started_at: normalize::from_iso(rp.created.as_deref()),
        finished_at: if rp.completed { normalize::from_iso(rp.read_date.as_deref()) } else { None },
        is_finished: rp.completed,
        updated_at: normalize::from_iso(rp.last_modified.as_deref().or(rp.read_date.as_deref())),
        rating: None,
    }))
}

impl Komga {
    pub fn new(name: &str, url: &Url, key: Secret) -> Result<Self, SourceError> {
        Ok(Self { http: Http::new(name, url)?, key })
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        rb.header("X-API-Key", secret_header(self.key.expose()))
    }
}

#[async_trait]
impl ProgressSource for Komga {
    fn name(&self) -> &str {
        &self.http.name
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        let condition = json!({"condition": {"anyOf": [
            {"readStatus": {"operator": "is", "value": "IN_PROGRESS"}},
            {"readStatus": {"operator": "is", "value": "READ"}},
        ]}});
        let mut items = Vec::new();
        for page in 0..MAX_PAGES {
            let rb = self
                .auth(self.http.post("/api/v1/books/list"))
                .query(&[("page", page.to_string()), ("size", PAGE_SIZE.to_string()), ("sort", "id,asc".into())])
                .json(&condition);
            let reply = self.http.send(rb).await?;
            let got = self.http.parse(&reply, parse_books_page)?;
            let n = got.content.len();
            for book in &got.content {
                match to_source_item(self.name(), book) {
                    Ok(Some(i)) => items.push(i),
                    Ok(None) => {}
                    Err(reason) => tracing::warn!(source = self.name(), book = %book.id, "skipping book: {reason}"),
                }
            }
            let last = got.last.unwrap_or_else(|| got.total_pages.is_some_and(|t| page as u64 + 1 >= t));
            if last || n == 0 {
                return Ok(items);
            }
        }
        Err(self.http.other(format!("the book list did not end after {MAX_PAGES} pages")))
    }

    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        let body = match update {
            WriteBack::Finished { .. } => json!({"completed": true}),
            WriteBack::Progress { fraction, position } => {
                let fraction = normalize::fraction(*fraction).map_err(|e| self.http.other(e))?;
                let page = match position {
                    Some(p) => p.round().max(1.0) as i64,
                    None => {
                        let reply =
                            self.http.send(self.auth(self.http.get(&format!("/api/v1/books/{item_id}")))).await?;
                        let book = self.http.parse(&reply, parse_book)?;
                        ((fraction * book.media.pages_count as f64).round() as i64)
                            .clamp(1, book.media.pages_count.max(1))
                    }
                };
                json!({"page": page})
            }
        };
        let rb = self.auth(self.http.patch(&format!("/api/v1/books/{item_id}/read-progress"))).json(&body);
        self.http.send(rb).await?;
        Ok(())
    }
}
