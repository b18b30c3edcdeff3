//! Audiobookshelf (shapes observed on a real 2.36 server).
//!
//! Listing joins the user's progress (`GET /api/me` → `mediaProgress`, finished ones included)
//! with item metadata paged out of every book library (`GET /api/libraries/:id/items` filtered to
//! in-progress and finished). The `items-in-progress` shortcut is not used: it stops at 25 items
//! and leaves out finished books.
//!
//! Ebooks keep `progress` at 0 until finished and report reading in `ebookProgress`; audio uses
//! `progress` / `currentTime` / `duration`. Times are epoch milliseconds. Podcasts are ignored.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use base64::Engine as _;
use serde::Deserialize;
use url::Url;

use super::http::Http;
use super::model::{Format, ProgressSource, SourceError, SourceItem, WriteBack};
use super::normalize;
use super::parse::{ParseError, json, lenient_f64};
use crate::identifiers;
use crate::secret::Secret;

/// Items per page: large enough that a 50,000-item library is 100 requests, small enough that one
/// page stays a few MB.
const PAGE_SIZE: usize = 500;
/// A server that never reports the end would otherwise be paged forever.
const MAX_PAGES: usize = 10_000;

pub struct Audiobookshelf {
    http: Http,
    key: Secret,
    /// Format and duration of listed items, so write-back knows which progress field to set
    /// without asking again.
    known: Mutex<HashMap<String, (Format, Option<f64>)>>,
}

/// One `mediaProgress` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbsProgress {
    pub library_item_id: String,
    #[serde(default)]
    pub episode_id: Option<String>,
    #[serde(default)]
    pub media_item_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub progress: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub current_time: Option<f64>,
    #[serde(default)]
    pub is_finished: bool,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub ebook_progress: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub last_update: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub started_at: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub finished_at: Option<f64>,
}

impl AbsProgress {
    /// Book progress only: podcast episodes carry an `episodeId` / `podcastEpisode` type.
    fn is_book(&self) -> bool {
        self.episode_id.is_none() && self.media_item_type.as_deref().is_none_or(|t| t == "book")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    #[serde(default)]
    media_progress: Vec<AbsProgress>,
}

/// The user's book progress from `GET /api/me` (podcast episodes dropped).
pub fn parse_me(body: &[u8]) -> Result<Vec<AbsProgress>, ParseError> {
    let me: Me = json(body)?;
    Ok(me.media_progress.into_iter().filter(AbsProgress::is_book).collect())
}

/// One progress entry (`GET /api/me/progress/:id`).
pub fn parse_progress(body: &[u8]) -> Result<AbsProgress, ParseError> {
    json(body)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbsLibrary {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub media_type: Option<String>,
}

#[derive(Deserialize)]
struct Libraries {
    libraries: Vec<AbsLibrary>,
}

/// `GET /api/libraries`: the book libraries (podcast libraries dropped).
pub fn parse_libraries(body: &[u8]) -> Result<Vec<AbsLibrary>, ParseError> {
    let libs: Libraries = json(body)?;
    Ok(libs.libraries.into_iter().filter(|l| l.media_type.as_deref().is_none_or(|t| t == "book")).collect())
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbsItem {
    pub id: String,
    #[serde(default)]
    pub media_type: Option<String>,
    pub media: AbsMedia,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbsMedia {
    pub metadata: AbsMetadata,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64::deserialize")]
    pub num_audio_files: Option<f64>,
    #[serde(default)]
    pub ebook_format: Option<String>,
    /// Present on expanded items instead of `ebookFormat`.
    #[serde(default)]
    pub ebook_file: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbsMetadata {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Expanded items carry `authors[]`; list items only `authorName` ("A, B").
    #[serde(default)]
    pub authors: Option<Vec<AbsAuthor>>,
    #[serde(default)]
    pub author_name: Option<String>,
    #[serde(default)]
    pub isbn: Option<String>,
    #[serde(default)]
    pub asin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AbsAuthor {
    pub name: String,
}

/// One page of `GET /api/libraries/:id/items`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AbsItemsPage {
    pub results: Vec<AbsItem>,
    pub total: u64,
}

pub fn parse_library_items(body: &[u8]) -> Result<AbsItemsPage, ParseError> {
    json(body)
}

/// `GET /api/items/:id?expanded=1`.
pub fn parse_item(body: &[u8]) -> Result<AbsItem, ParseError> {
    json(body)
}

impl AbsItem {
    fn format(&self) -> Format {
        let m = &self.media;
        let has_audio = m.num_audio_files.unwrap_or(0.0) > 0.0 || m.duration.unwrap_or(0.0) > 0.0;
        let has_ebook = m.ebook_format.is_some() || m.ebook_file.as_ref().is_some_and(|f| !f.is_null());
        // An item with both is listened to: ABS tracks its `progress` against the audio.
        if has_audio || !has_ebook { Format::Audio } else { Format::Ebook }
    }

    fn authors(&self) -> Vec<String> {
        let md = &self.media.metadata;
        match &md.authors {
            Some(list) if !list.is_empty() => list.iter().filter_map(|a| normalize::text(Some(&a.name))).collect(),
            _ => md
                .author_name
                .as_deref()
                .map(|n| n.split(", ").filter_map(|a| normalize::text(Some(a))).collect())
                .unwrap_or_default(),
        }
    }
}

/// Join an item with its progress. `Err` carries why the pair was rejected (absurd progress).
pub fn to_source_item(source: &str, item: &AbsItem, p: &AbsProgress) -> Result<SourceItem, String> {
    let format = item.format();
    let duration = normalize::amount(p.duration.filter(|d| *d > 0.0).or(item.media.duration)).filter(|d| *d > 0.0);
    let raw = if p.is_finished {
        1.0
    } else if format == Format::Ebook {
        p.ebook_progress.unwrap_or(0.0)
    } else {
        match (p.progress, p.current_time, duration) {
            (Some(f), _, _) if f > 0.0 => f,
            (_, Some(t), Some(d)) => t / d,
            (f, _, _) => f.unwrap_or(0.0),
        }
    };
    let fraction = normalize::fraction(raw)?;
    let (position, total) = match format {
        Format::Audio => {
            let pos = if p.is_finished { duration } else { normalize::amount(p.current_time) };
            (pos, duration)
        }
        _ => (None, None),
    };
    let md = &item.media.metadata;
    let isbns = md.isbn.as_deref().map(identifiers::isbns).unwrap_or_default();
    Ok(SourceItem {
        source: source.to_owned(),
        id: item.id.clone(),
        title: normalize::text(md.title.as_deref()).unwrap_or_else(|| "(untitled)".into()),
        subtitle: normalize::text(md.subtitle.as_deref()),
        authors: item.authors(),
        isbn13: isbns.isbn13,
        isbn10: isbns.isbn10,
        asin: md.asin.as_deref().and_then(identifiers::asin),
        format,
        fraction,
        position,
        total,
        started_at: normalize::from_epoch_ms(p.started_at),
        finished_at: if p.is_finished { normalize::from_epoch_ms(p.finished_at) } else { None },
        is_finished: p.is_finished,
        updated_at: normalize::from_epoch_ms(p.last_update),
        rating: None,
    })
}

fn progress_filter(which: &str) -> String {
    format!("progress.{}", base64::engine::general_purpose::STANDARD.encode(which))
}

impl Audiobookshelf {
    pub fn new(name: &str, url: &Url, key: Secret) -> Result<Self, SourceError> {
        Ok(Self { http: Http::new(name, url)?, key, known: Mutex::new(HashMap::new()) })
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        rb.bearer_auth(self.key.expose())
    }

    async fn items_with(&self, library: &str, filter: &str) -> Result<Vec<AbsItem>, SourceError> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let rb = self.auth(self.http.get(&format!("/api/libraries/{library}/items"))).query(&[
                ("limit", PAGE_SIZE.to_string()),
                ("page", page.to_string()),
                ("filter", progress_filter(filter)),
            ]);
            let reply = self.http.send(rb).await?;
            let got = self.http.parse(&reply, parse_library_items)?;
            let n = got.results.len();
            out.extend(got.results);
            if n == 0 || out.len() as u64 >= got.total {
                return Ok(out);
            }
        }
        Err(self.http.other(format!("library {library} did not end after {MAX_PAGES} pages")))
    }
}

#[async_trait]
impl ProgressSource for Audiobookshelf {
    fn name(&self) -> &str {
        &self.http.name
    }

    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        let reply = self.http.fetch(self.auth(self.http.get("/api/me"))).await?;
        if reply.status == reqwest::StatusCode::NOT_FOUND {
            // Every Audiobookshelf has /api/me: whatever answered here is another server.
            return Err(self.http.other(format!(
                "{} answered but is not an Audiobookshelf server (it has no /api/me): check the url, and the path \
                 if Audiobookshelf sits behind a reverse proxy under one",
                reply.url.trim_end_matches("api/me")
            )));
        }
        let reply = self.http.check(reply)?;
        let progress: HashMap<String, AbsProgress> =
            self.http.parse(&reply, parse_me)?.into_iter().map(|p| (p.library_item_id.clone(), p)).collect();
        if progress.is_empty() {
            return Ok(Vec::new());
        }
        let reply = self.http.send(self.auth(self.http.get("/api/libraries"))).await?;
        let libraries = self.http.parse(&reply, parse_libraries)?;
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for lib in &libraries {
            for filter in ["in-progress", "finished"] {
                for item in self.items_with(&lib.id, filter).await? {
                    if item.media_type.as_deref().is_some_and(|t| t != "book") || !seen.insert(item.id.clone()) {
                        continue;
                    }
                    let Some(p) = progress.get(&item.id) else { continue };
                    match to_source_item(self.name(), &item, p) {
                        Ok(si) => items.push(si),
                        Err(reason) => {
                            tracing::warn!(source = self.name(), item = %item.id, "skipping item: {reason}")
                        }
                    }
                }
            }
        }
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        for i in &items {
            known.insert(i.id.clone(), (i.format, i.total));
        }
        Ok(items)
    }

    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        let path = format!("/api/me/progress/{item_id}");
        let body = match update {
            WriteBack::Finished { finished_at } => {
                let mut b = serde_json::json!({ "isFinished": true });
                if let Some(t) = finished_at {
                    b["finishedAt"] = t.timestamp_millis().into();
                }
                b
            }
            WriteBack::Progress { fraction, position } => {
                let fraction = normalize::fraction(*fraction).map_err(|e| self.http.other(e))?;
                let cached = self.known.lock().unwrap_or_else(|p| p.into_inner()).get(item_id).copied();
                let (format, duration) = match cached {
                    Some(k) => k,
                    None => {
                        let rb = self.auth(self.http.get(&format!("/api/items/{item_id}"))).query(&[("expanded", "1")]);
                        let reply = self.http.send(rb).await?;
                        let item = self.http.parse(&reply, parse_item)?;
                        (item.format(), item.media.duration.filter(|d| *d > 0.0))
                    }
                };
                if format == Format::Audio {
                    let mut b = serde_json::json!({ "progress": fraction });
                    if let Some(t) = position.or(duration.map(|d| d * fraction)) {
                        b["currentTime"] = t.into();
                    }
                    if let Some(d) = duration {
                        b["duration"] = d.into();
                    }
                    b
                } else {
                    serde_json::json!({ "ebookProgress": fraction })
                }
            }
        };
        self.http.send(self.auth(self.http.patch(&path)).json(&body)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_is_base64_of_the_progress_state() {
        assert_eq!(progress_filter("finished"), "progress.ZmluaXNoZWQ=", "the real server's filterBy value");
    }

    #[test]
    fn podcast_progress_is_ignored() {
        let body = br#"{"mediaProgress":[
            {"libraryItemId":"a","episodeId":null,"mediaItemType":"book","progress":0.5},
            {"libraryItemId":"p","episodeId":"e1","mediaItemType":"podcastEpisode","progress":0.5}]}"#;
        let got = parse_me(body).unwrap();
        assert_eq!(got.len(), 1, "podcast episodes are not books");
        assert_eq!(got[0].library_item_id, "a");
    }
}
