//! Kavita (shapes from its 0.8 DTOs).
//!
//! The API key is traded for a JWT (`POST /api/Plugin/authenticate?apiKey=…&pluginName=…`), sent
//! as a bearer; a 401 means it expired, so we authenticate again once and retry. Series the user
//! has read in come from `POST /api/series/all-v2` (a ReadProgress > 0 filter; `PageNumber` from 1,
//! totals in the `Pagination` header); each series' chapters, with `pages`, `pagesRead`, ISBN and
//! writers, from `GET /api/series/volumes`. One item per chapter the user has opened; a chapter is
//! finished when every page is read. Kavita stores no start date.
//!
//! Item ids are `library/series/volume/chapter`: writing progress back needs all four.
//!
//! The filter's numeric codes (field 20 = ReadProgress, comparison 1 = GreaterThan, combination
//! 1 = And) follow Kavita's `FilterField`/`FilterComparison` enums; *unverified* against a live server.

use async_trait::async_trait;
use futures::StreamExt as _;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;
use url::Url;

use super::http::{Http, Reply};
use super::model::{Format, ProgressSource, SourceError, SourceItem, WriteBack};
use super::normalize;
use super::parse::{ParseError, json};
use crate::identifiers;
use crate::secret::Secret;

const PAGE_SIZE: usize = 200;
const MAX_PAGES: usize = 10_000;
const PLUGIN_NAME: &str = "hardcover-sync";
const CONCURRENT_LOOKUPS: usize = 4;

pub struct Kavita {
    http: Http,
    key: Secret,
    jwt: Mutex<Option<Secret>>,
}

#[derive(Deserialize)]
struct AuthReply {
    token: String,
}

/// The JWT from `POST /api/Plugin/authenticate`.
pub fn parse_auth(body: &[u8]) -> Result<Secret, ParseError> {
    let r: AuthReply = json(body)?;
    if r.token.trim().is_empty() {
        return Err(ParseError("the authenticate reply has an empty token".into()));
    }
    Ok(Secret::new(r.token))
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KavitaSeries {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub library_id: i64,
    #[serde(default)]
    pub format: Option<i64>,
}

pub fn parse_series_page(body: &[u8]) -> Result<Vec<KavitaSeries>, ParseError> {
    json(body)
}

/// Kavita's `Pagination` response header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub current_page: u64,
    pub total_pages: u64,
    #[serde(default)]
    pub total_items: u64,
}

pub fn parse_pagination(header: &[u8]) -> Result<Pagination, ParseError> {
    json(header)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KavitaVolume {
    pub id: i64,
    #[serde(default)]
    pub chapters: Vec<KavitaChapter>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KavitaChapter {
    pub id: i64,
    #[serde(default)]
    pub pages: i64,
    #[serde(default)]
    pub pages_read: i64,
    #[serde(default)]
    pub title_name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub isbn: Option<String>,
    #[serde(default)]
    pub writers: Vec<KavitaPerson>,
    #[serde(default)]
    pub last_reading_progress_utc: Option<String>,
    #[serde(default)]
    pub files: Vec<KavitaFile>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KavitaPerson {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KavitaFile {
    #[serde(default)]
    pub format: Option<i64>,
}

/// `GET /api/series/volumes?seriesId=` → `VolumeDto[]`.
pub fn parse_volumes(body: &[u8]) -> Result<Vec<KavitaVolume>, ParseError> {
    json(body)
}

/// Kavita's `MangaFormat`: 0 Image, 1 Archive, 2 Unknown, 3 Epub, 4 Pdf.
fn format_of(code: Option<i64>) -> Format {
    match code {
        Some(0 | 1) => Format::Comic,
        _ => Format::Ebook,
    }
}

pub fn to_source_item(
    source: &str,
    series: &KavitaSeries,
    volume: &KavitaVolume,
    ch: &KavitaChapter,
) -> Result<Option<SourceItem>, String> {
    if ch.pages_read <= 0 {
        return Ok(None);
    }
    if ch.pages <= 0 {
        return Err("the chapter has no page count".into());
    }
    let fraction = normalize::fraction(ch.pages_read as f64 / ch.pages as f64)?;
    let finished = ch.pages_read >= ch.pages;
    let updated = normalize::from_iso(ch.last_reading_progress_utc.as_deref());
    let isbns = ch.isbn.as_deref().map(identifiers::isbns).unwrap_or_default();
    let title = normalize::text(ch.title_name.as_deref())
        .or_else(|| normalize::text(series.name.as_deref()))
        .or_else(|| normalize::text(ch.title.as_deref()))
        .unwrap_or_else(|| "(untitled)".into());
    Ok(Some(SourceItem {
        source: source.into(),
        id: format!("{}/{}/{}/{}", series.library_id, series.id, volume.id, ch.id),
        title,
        subtitle: None,
        authors: ch.writers.iter().filter_map(|w| normalize::text(Some(&w.name))).collect(),
        isbn13: isbns.isbn13,
        isbn10: isbns.isbn10,
        asin: None,
        format: format_of(ch.files.first().and_then(|f| f.format).or(series.format)),
        fraction,
        position: Some(ch.pages_read.min(ch.pages) as f64),
        total: Some(ch.pages as f64),
        started_at: None,
        finished_at: if finished { updated } else { None },
        is_finished: finished,
        updated_at: updated,
        rating: None,
    }))
}

/// `library/series/volume/chapter`.
fn parse_item_id(id: &str) -> Option<[i64; 4]> {
    let parts: Vec<i64> = id.split('/').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    parts.try_into().ok()
}

impl Kavita {
    pub fn new(name: &str, url: &Url, key: Secret) -> Result<Self, SourceError> {
        Ok(Self { http: Http::new(name, url)?, key, jwt: Mutex::new(None) })
    }

    async fn authenticate(&self) -> Result<Secret, SourceError> {
        let rb = self
            .http
            .post("/api/Plugin/authenticate")
            .query(&[("apiKey", self.key.expose()), ("pluginName", PLUGIN_NAME)]);
        let reply = self.http.send(rb).await?;
        self.http.parse(&reply, parse_auth)
    }

    /// The current JWT, authenticating when there is none yet.
    async fn token(&self) -> Result<Secret, SourceError> {
        let mut jwt = self.jwt.lock().await;
        if let Some(t) = jwt.as_ref() {
            return Ok(t.clone());
        }
        let t = self.authenticate().await?;
        *jwt = Some(t.clone());
        Ok(t)
    }

    /// A JWT to replace `rejected`. Concurrent requests that all got a 401 share one
    /// re-authentication: whoever comes second finds a new token already there.
    async fn renew(&self, rejected: &Secret) -> Result<Secret, SourceError> {
        let mut jwt = self.jwt.lock().await;
        if let Some(t) = jwt.as_ref().filter(|t| *t != rejected) {
            return Ok(t.clone());
        }
        let t = self.authenticate().await?;
        *jwt = Some(t.clone());
        Ok(t)
    }

    /// Send with the JWT; on 401 (it expired) authenticate again and retry once.
    async fn send(&self, make: impl Fn() -> reqwest::RequestBuilder) -> Result<Reply, SourceError> {
        let token = self.token().await?;
        let reply = self.http.fetch(make().bearer_auth(token.expose())).await?;
        if reply.status.as_u16() != 401 {
            return self.http.check(reply);
        }
        let fresh = self.renew(&token).await?;
        self.http.send(make().bearer_auth(fresh.expose())).await
    }

    async fn volumes(&self, series_id: i64) -> Result<Vec<KavitaVolume>, SourceError> {
        let reply =
            self.send(|| self.http.get("/api/series/volumes").query(&[("seriesId", series_id.to_string())])).await?;
        self.http.parse(&reply, parse_volumes)
    }

    async fn series_with_progress(&self) -> Result<Vec<KavitaSeries>, SourceError> {
        let filter = json!({
            "statements": [{"comparison": 1, "field": 20, "value": "0"}],
            "combination": 1,
            "sortOptions": {"sortField": 1, "isAscending": true},
            "limitTo": 0,
        });
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let reply = self
                .send(|| {
                    self.http
                        .post("/api/series/all-v2")
                        .query(&[("PageNumber", page.to_string()), ("PageSize", PAGE_SIZE.to_string())])
                        .json(&filter)
                })
                .await?;
            let got = self.http.parse(&reply, parse_series_page)?;
            let n = got.len();
            out.extend(got);
            let pagination = match reply.headers.get("Pagination") {
                Some(h) => Some(parse_pagination(h.as_bytes()).map_err(|e| {
                    self.http.bad(&reply.url, format!("the Pagination header is not what Kavita sends: {e}"))
                })?),
                None => None,
            };
            let done = match pagination {
                Some(p) => p.current_page >= p.total_pages,
                // Without the header, a short page is the last one.
                None => n < PAGE_SIZE,
            };
            if done || n == 0 {
                return Ok(out);
            }
        }
        Err(self.http.other(format!("the series list did not end after {MAX_PAGES} pages")))
    }
}

#[async_trait]
impl ProgressSource for Kavita {
    fn name(&self) -> &str {
        &self.http.name
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        let series = self.series_with_progress().await?;
        let volumes: Vec<Result<(KavitaSeries, Vec<KavitaVolume>), SourceError>> = futures::stream::iter(series)
            .map(|s| async move { self.volumes(s.id).await.map(|v| (s, v)) })
            .buffered(CONCURRENT_LOOKUPS)
            .collect()
            .await;
        let mut items = Vec::new();
        for entry in volumes {
            let (series, volumes) = entry?;
            for volume in &volumes {
                for ch in &volume.chapters {
                    match to_source_item(self.name(), &series, volume, ch) {
                        Ok(Some(i)) => items.push(i),
                        Ok(None) => {}
                        Err(reason) => tracing::warn!(source = self.name(), chapter = ch.id, "skipping: {reason}"),
                    }
                }
            }
        }
        Ok(items)
    }

    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        let [library_id, series_id, volume_id, chapter_id] = parse_item_id(item_id).ok_or_else(|| {
            self.http.other(format!("{item_id:?} is not a Kavita item id (library/series/volume/chapter)"))
        })?;
        let volumes = self.volumes(series_id).await?;
        let chapters: Vec<&KavitaChapter> = volumes.iter().flat_map(|v| &v.chapters).collect();
        let ch = chapters
            .iter()
            .find(|c| c.id == chapter_id)
            .ok_or_else(|| self.http.other(format!("chapter {chapter_id} is no longer in series {series_id}")))?;
        let page = match update {
            WriteBack::Finished { .. } if chapters.len() == 1 => {
                let body = json!({"seriesId": series_id});
                self.send(|| self.http.post("/api/reader/mark-read").json(&body)).await?;
                return Ok(());
            }
            WriteBack::Finished { .. } => ch.pages,
            WriteBack::Progress { fraction, position } => {
                let fraction = normalize::fraction(*fraction).map_err(|e| self.http.other(e))?;
                position.map_or((fraction * ch.pages as f64).round() as i64, |p| p.round() as i64).clamp(0, ch.pages)
            }
        };
        let body = json!({
            "libraryId": library_id, "seriesId": series_id, "volumeId": volume_id,
            "chapterId": chapter_id, "pageNum": page,
        });
        self.send(|| self.http.post("/api/reader/progress").json(&body)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_round_trip() {
        assert_eq!(parse_item_id("1/12/15/20"), Some([1, 12, 15, 20]));
        assert_eq!(parse_item_id("1/12/15"), None);
        assert_eq!(parse_item_id("a/b/c/d"), None);
    }
}
