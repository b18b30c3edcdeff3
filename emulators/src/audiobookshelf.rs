//! Audiobookshelf 2.36 emulator. Every response is built from the structure of the samples
//! captured from a real server (`shared/samples/audiobookshelf/`): the same keys, the same nesting,
//! the same ids for the two sample items, plus generated items in the same shape.
//!
//! Stateful: `PATCH /api/me/progress/:id` changes what `/api/me` and the item endpoints return,
//! with ABS's rules (finishing sets `progress` to 1 and stamps `finishedAt`; ebooks keep their
//! `ebookProgress`). Library items page with `limit` / `page` (from 0) and filter with
//! `progress.<base64 of finished|in-progress|not-started|not-finished>`, like the server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::RunningServer;
use crate::seed::{Fault, SeedBook, reply};

pub const USER_ID: &str = "76097e55-6f78-497e-910c-fd27c0378ee1";
pub const LIBRARY_ID: &str = "e8c451fb-2ece-4b95-a3dc-d63f10cf96bb";
pub const FOLDER_ID: &str = "54660d34-a8fd-4c61-9b71-e0a8537df08a";
pub const PODCAST_LIBRARY_ID: &str = "0a7d3c5e-podc-4a57-9000-000000000001";
/// The sample audiobook (40% listened) and ebook (35% read) from the real server.
pub const SAMPLE_AUDIOBOOK_ID: &str = "6dde0f7a-dff6-4621-9f32-c7216743330c";
pub const SAMPLE_EBOOK_ID: &str = "16605dee-e7e5-4048-9110-f252c6a2bb48";

#[derive(Debug, Clone)]
struct Item {
    id: String,
    ino: String,
    media_id: String,
    author_id: String,
    library_id: String,
    podcast: bool,
    title: String,
    subtitle: Option<String>,
    author: String,
    genres: Vec<String>,
    published_year: Option<String>,
    publisher: Option<String>,
    isbn: Option<String>,
    asin: Option<String>,
    language: Option<String>,
    audio: bool,
    duration: f64,
    size: u64,
    file_ino: String,
    file_name: String,
    mtime: i64,
    birthtime: i64,
    added_at: i64,
    /// The media file's own times, and when the scanner recorded it (they differ on a real server).
    file_mtime: i64,
    file_ctime: i64,
    file_birthtime: i64,
    file_added_at: i64,
    library_file_added_at: i64,
    last_scan: i64,
}

#[derive(Default)]
struct AbsState {
    api_key: String,
    items: Vec<Item>,
    /// Keyed by library item id; values are `mediaProgress` objects exactly as served.
    progress: BTreeMap<String, Value>,
    fault: Fault,
    requests: Vec<String>,
}

/// Seed an emulator.
pub struct AbsBuilder {
    api_key: String,
    samples: bool,
    books: Vec<SeedBook>,
    podcast: bool,
}

pub struct AbsEmulator {
    server: RunningServer,
    state: Arc<Mutex<AbsState>>,
}

impl AbsEmulator {
    pub fn builder() -> AbsBuilder {
        AbsBuilder { api_key: "abs-test-key".into(), samples: false, books: Vec::new(), podcast: false }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn state(&self) -> MutexGuard<'_, AbsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault(&self, fault: Fault) {
        self.state().fault = fault;
    }

    /// The `mediaProgress` object for an item, as `/api/me` would serve it.
    pub fn progress(&self, item_id: &str) -> Option<Value> {
        self.state().progress.get(item_id).cloned()
    }

    /// Overwrite fields of an item's progress (absurd values, odd timestamps).
    pub fn patch_progress_raw(&self, item_id: &str, fields: Value) {
        let mut st = self.state();
        if let (Some(p), Some(f)) = (st.progress.get_mut(item_id), fields.as_object()) {
            for (k, v) in f {
                p[k] = v.clone();
            }
        }
    }

    /// Library item ids in seeding order (sample items first when seeded).
    pub fn item_ids(&self) -> Vec<String> {
        self.state().items.iter().filter(|i| !i.podcast).map(|i| i.id.clone()).collect()
    }

    /// `METHOD path?query` of every request received, in order.
    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }
}

impl AbsBuilder {
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_key = key.into();
        self
    }

    /// The two items captured from the real server, with their progress.
    pub fn with_samples(mut self) -> Self {
        self.samples = true;
        self
    }

    pub fn books(mut self, books: Vec<SeedBook>) -> Self {
        self.books.extend(books);
        self
    }

    /// A podcast library with a listened episode, which a book sync must ignore.
    pub fn with_podcast(mut self) -> Self {
        self.podcast = true;
        self
    }

    pub async fn start(self) -> std::io::Result<AbsEmulator> {
        let mut st = AbsState { api_key: self.api_key, ..AbsState::default() };
        if self.samples {
            seed_samples(&mut st);
        }
        for (n, b) in self.books.iter().enumerate() {
            seed_book(&mut st, n, b);
        }
        if self.podcast {
            seed_podcast(&mut st);
        }
        let state = Arc::new(Mutex::new(st));
        let router = Router::new()
            .route("/api/me", get(me))
            .route("/api/me/items-in-progress", get(items_in_progress))
            .route("/api/me/progress/{id}", get(get_progress).patch(patch_progress))
            .route("/api/libraries", get(libraries))
            .route("/api/libraries/{id}/items", get(library_items))
            .route("/api/items/{id}", get(item))
            .layer(middleware::from_fn_with_state(state.clone(), auth))
            .route("/status", get(status))
            .with_state(state.clone());
        Ok(AbsEmulator { server: RunningServer::serve(router, 0).await?, state })
    }
}

fn seed_samples(st: &mut AbsState) {
    st.items.push(Item {
        id: SAMPLE_AUDIOBOOK_ID.into(),
        ino: "10051599".into(),
        media_id: "bbc67dac-b073-4f23-ba13-8d71f91f582d".into(),
        author_id: "2754f336-5d67-4e0b-86c2-0b5c531b1448".into(),
        library_id: LIBRARY_ID.into(),
        podcast: false,
        title: "Tiny Audiobook".into(),
        subtitle: None,
        author: "Jane Testauthor".into(),
        genres: vec!["Fiction".into()],
        published_year: Some("2021".into()),
        publisher: None,
        isbn: Some("9780306406157".into()),
        asin: Some("B0TESTASIN".into()),
        language: None,
        audio: true,
        duration: 600.192,
        size: 600_651,
        file_ino: "10051602".into(),
        file_name: "tiny.mp3".into(),
        mtime: 1_795_594_993_975,
        birthtime: 1_795_594_993_859,
        added_at: 1_795_595_134_187,
        file_mtime: 1_795_594_994_399,
        file_ctime: 1_795_594_994_399,
        file_birthtime: 1_795_594_993_975,
        file_added_at: 1_795_595_134_186,
        library_file_added_at: 1_795_595_133_987,
        last_scan: 1_795_595_134_186,
    });
    st.progress.insert(
        SAMPLE_AUDIOBOOK_ID.into(),
        json!({"id":"8c41c43f-1af5-4d03-a916-dd2604370fa3","userId":USER_ID,"libraryItemId":SAMPLE_AUDIOBOOK_ID,
            "episodeId":null,"mediaItemId":"bbc67dac-b073-4f23-ba13-8d71f91f582d","mediaItemType":"book","duration":600,
            "progress":0.4,"currentTime":240,"isFinished":false,"hideFromContinueListening":false,"ebookLocation":null,
            "ebookProgress":0,"lastUpdate":1_795_595_134_607_i64,"startedAt":1_795_595_134_607_i64,"finishedAt":null}),
    );
    st.items.push(Item {
        id: SAMPLE_EBOOK_ID.into(),
        ino: "10051601".into(),
        media_id: "bc5a44be-d841-418f-a11c-4328d2e26c99".into(),
        author_id: "fee931a7-23d5-4a91-bd7e-fc3793b90ab2".into(),
        library_id: LIBRARY_ID.into(),
        podcast: false,
        title: "Tiny Ebook".into(),
        subtitle: None,
        author: "John Ebookwriter".into(),
        genres: vec![],
        published_year: Some("2020".into()),
        publisher: Some("Loopback Press".into()),
        isbn: Some("9780141187761".into()),
        asin: None,
        language: Some("en".into()),
        audio: false,
        duration: 0.0,
        size: 1695,
        file_ino: "10051612".into(),
        file_name: "tiny.epub".into(),
        mtime: 1_795_594_994_417,
        birthtime: 1_795_594_993_859,
        added_at: 1_795_595_133_999,
        file_mtime: 1_795_594_994_416,
        file_ctime: 1_795_594_994_417,
        file_birthtime: 1_795_594_994_416,
        file_added_at: 1_795_595_133_986,
        library_file_added_at: 1_795_595_133_986,
        last_scan: 1_795_595_133_997,
    });
    st.progress.insert(
        SAMPLE_EBOOK_ID.into(),
        json!({"id":"c7f3bcec-a249-4293-ae7d-b1a1b9b4b0c7","userId":USER_ID,"libraryItemId":SAMPLE_EBOOK_ID,
            "episodeId":null,"mediaItemId":"bc5a44be-d841-418f-a11c-4328d2e26c99","mediaItemType":"book","duration":0,
            "progress":0,"currentTime":0,"isFinished":false,"hideFromContinueListening":false,
            "ebookLocation":"epubcfi(/6/2!/4/2/1:0)","ebookProgress":0.35,"lastUpdate":1_795_595_134_640_i64,
            "startedAt":1_795_595_134_639_i64,"finishedAt":null}),
    );
}

fn uuid(kind: u32, n: usize) -> String {
    format!("{kind:08x}-{:04x}-4{:03x}-8000-{:012x}", (n >> 16) & 0xffff, n & 0xfff, n)
}

/// The id of the `n`th seeded (generated) book.
pub fn generated_item_id(n: usize) -> String {
    uuid(0x1, n)
}

fn seed_book(st: &mut AbsState, n: usize, b: &SeedBook) {
    let id = generated_item_id(n);
    let media_id = uuid(0x2, n);
    let item = Item {
        id: id.clone(),
        ino: format!("{}", 20_000_000 + n * 3),
        media_id: media_id.clone(),
        author_id: uuid(0x3, n),
        library_id: LIBRARY_ID.into(),
        podcast: false,
        title: b.title.clone(),
        subtitle: b.subtitle.clone(),
        author: b.author.clone(),
        genres: vec!["Fiction".into()],
        published_year: Some(format!("{}", 1950 + n % 70)),
        publisher: None,
        isbn: b.isbn.clone(),
        asin: b.asin.clone(),
        language: Some("en".into()),
        audio: b.audio,
        duration: if b.audio { b.duration_secs } else { 0.0 },
        size: if b.audio { 50_000_000 } else { 400_000 },
        file_ino: format!("{}", 20_000_001 + n * 3),
        file_name: if b.audio { "book.m4b".into() } else { "book.epub".into() },
        mtime: b.started_ms - 86_400_000,
        birthtime: b.started_ms - 86_400_000,
        added_at: b.started_ms - 3_600_000,
        file_mtime: b.started_ms - 86_400_000,
        file_ctime: b.started_ms - 86_400_000,
        file_birthtime: b.started_ms - 86_400_000,
        file_added_at: b.started_ms - 3_600_000,
        library_file_added_at: b.started_ms - 3_600_000,
        last_scan: b.started_ms - 3_600_000,
    };
    let duration = if b.audio { b.duration_secs.floor() } else { 0.0 };
    let progress = json!({
        "id": uuid(0x4, n), "userId": USER_ID, "libraryItemId": id, "episodeId": null, "mediaItemId": media_id,
        "mediaItemType": "book", "duration": whole(duration),
        "progress": if b.audio || b.finished { b.fraction } else { 0.0 },
        "currentTime": if b.audio { (b.fraction * duration).round() } else { 0.0 },
        "isFinished": b.finished, "hideFromContinueListening": false,
        "ebookLocation": if b.audio { Value::Null } else { json!("epubcfi(/6/4!/4/2/1:0)") },
        "ebookProgress": if b.audio { 0.0 } else { b.fraction },
        "lastUpdate": b.updated_ms, "startedAt": b.started_ms, "finishedAt": b.finished_ms,
    });
    st.items.push(item);
    st.progress.insert(id, progress);
}

fn seed_podcast(st: &mut AbsState) {
    let id = "9f1c0b7e-podc-4c1e-8000-000000000001".to_owned();
    st.items.push(Item {
        id: id.clone(),
        ino: "30000001".into(),
        media_id: "9f1c0b7e-podc-4c1e-8000-0000000000aa".into(),
        author_id: String::new(),
        library_id: PODCAST_LIBRARY_ID.into(),
        podcast: true,
        title: "Loopback Radio".into(),
        subtitle: None,
        author: "Podcaster".into(),
        genres: vec![],
        published_year: None,
        publisher: None,
        isbn: None,
        asin: None,
        language: None,
        audio: true,
        duration: 1800.0,
        size: 1,
        file_ino: "30000002".into(),
        file_name: "ep1.mp3".into(),
        mtime: 1_795_594_993_975,
        birthtime: 1_795_594_993_975,
        added_at: 1_795_594_993_975,
        file_mtime: 1_795_594_993_975,
        file_ctime: 1_795_594_993_975,
        file_birthtime: 1_795_594_993_975,
        file_added_at: 1_795_594_993_975,
        library_file_added_at: 1_795_594_993_975,
        last_scan: 1_795_594_993_975,
    });
    st.progress.insert(
        id.clone(),
        json!({"id":"9f1c0b7e-prog-4c1e-8000-000000000001","userId":USER_ID,"libraryItemId":id,
            "episodeId":"ep-1","mediaItemId":"ep-1","mediaItemType":"podcastEpisode","duration":1800,
            "progress":0.5,"currentTime":900,"isFinished":false,"hideFromContinueListening":false,
            "ebookLocation":null,"ebookProgress":0,"lastUpdate":1_795_595_134_607_i64,
            "startedAt":1_795_595_134_607_i64,"finishedAt":null}),
    );
}

async fn auth(State(state): State<Arc<Mutex<AbsState>>>, req: Request, next: Next) -> Response {
    let ok = {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        st.requests.push(format!("{} {}", req.method(), req.uri()));
        let expected = format!("Bearer {}", st.api_key);
        req.headers().get(header::AUTHORIZATION).is_some_and(|v| v.as_bytes() == expected.as_bytes())
    };
    if ok { next.run(req).await } else { (StatusCode::UNAUTHORIZED, "Unauthorized").into_response() }
}

type St = State<Arc<Mutex<AbsState>>>;

fn lock(state: &Arc<Mutex<AbsState>>) -> MutexGuard<'_, AbsState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

async fn status() -> Json<Value> {
    Json(json!({"app":"audiobookshelf","serverVersion":"2.36.0","isInit":false,"language":"en-us",
        "authMethods":["local"],"authFormData":{"authLoginCustomMessage":""},
        "ConfigPath":"/config/config","MetadataPath":"/config/metadata"}))
}

async fn me(State(state): St) -> Response {
    let st = lock(&state);
    // In the order the items were added, as the server lists them.
    let progress: Vec<Value> = st.items.iter().filter_map(|i| st.progress.get(&i.id).cloned()).collect();
    reply(
        st.fault,
        json!({"id":USER_ID,"username":"root","email":null,"type":"root","token":"<redacted-jwt>",
            "mediaProgress":progress,"seriesHideFromContinueListening":[],"bookmarks":[],"isActive":true,
            "isLocked":false,"lastSeen":null,"createdAt":1_795_595_133_690_i64,
            "permissions":{"download":true,"update":true,"delete":true,"upload":true,"createEreader":true,
                "accessAllLibraries":true,"accessAllTags":true,"accessExplicitContent":true,
                "selectedTagsNotAccessible":false},
            "librariesAccessible":[],"itemTagsSelected":[],"hasOpenIDLink":false}),
    )
}

fn library_json(id: &str, name: &str, media_type: &str, order: u32) -> Value {
    json!({"id":id,"name":name,"folders":[{"id":FOLDER_ID,"fullPath":"/audiobooks","libraryId":id,
            "addedAt":1_795_595_133_891_i64}],
        "displayOrder":order,"icon":"database","mediaType":media_type,"provider":"google",
        "settings":{"coverAspectRatio":1,"disableWatcher":false,"autoScanCronExpression":null,
            "skipMatchingMediaWithAsin":false,"skipMatchingMediaWithIsbn":false,"audiobooksOnly":false,
            "epubsAllowScriptedContent":false,"hideSingleBookSeries":false,"onlyShowLaterBooksInContinueSeries":false,
            "metadataPrecedence":["folderStructure","audioMetatags","nfoFile","txtFiles","opfFile","absMetadata"],
            "markAsFinishedPercentComplete":null,"markAsFinishedTimeRemaining":10},
        "lastScan":null,"createdAt":1_795_595_133_871_i64,"lastUpdate":1_795_595_133_871_i64})
}

async fn libraries(State(state): St) -> Response {
    let st = lock(&state);
    let mut libs = vec![library_json(LIBRARY_ID, "Test Books", "book", 1)];
    if st.items.iter().any(|i| i.podcast) {
        libs.push(library_json(PODCAST_LIBRARY_ID, "Podcasts", "podcast", 2));
    }
    reply(st.fault, json!({ "libraries": libs }))
}

/// `media.metadata` as in list responses (minified=false): `authorName`, no `authors[]`.
fn list_metadata(it: &Item) -> Value {
    json!({"title":it.title,"titleIgnorePrefix":it.title,"subtitle":it.subtitle,"authorName":it.author,
        "authorNameLF":author_lf(&it.author),"narratorName":"","seriesName":"","genres":it.genres,
        "publishedYear":it.published_year,"publishedDate":null,"publisher":it.publisher,"description":null,
        "isbn":it.isbn,"asin":it.asin,"language":it.language,"explicit":false,"abridged":false})
}

fn author_lf(name: &str) -> String {
    match name.rsplit_once(' ') {
        Some((first, last)) => format!("{last}, {first}"),
        None => name.to_owned(),
    }
}

fn item_head(it: &Item) -> serde_json::Map<String, Value> {
    let dir = format!("{}/{}", it.author, it.title);
    let v = json!({"id":it.id,"ino":it.ino,"oldLibraryItemId":null,"libraryId":it.library_id,"folderId":FOLDER_ID,
        "path":format!("/audiobooks/{dir}"),"relPath":dir,"isFile":false,"mtimeMs":it.mtime,"ctimeMs":it.mtime,
        "birthtimeMs":it.birthtime,"addedAt":it.added_at,"updatedAt":it.added_at,"isMissing":false,"isInvalid":false,
        "mediaType":if it.podcast { "podcast" } else { "book" }});
    v.as_object().cloned().unwrap_or_default()
}

/// A library item as `GET /api/libraries/:id/items` lists it.
fn list_item(it: &Item) -> Value {
    let mut v = item_head(it);
    let mut media = json!({"id":it.media_id,"metadata":list_metadata(it),"coverPath":null,"tags":[],
        "numTracks":u32::from(it.audio),"numAudioFiles":u32::from(it.audio),"numChapters":0,
        "duration":whole(it.duration),"size":it.size});
    if !it.audio {
        media["ebookFormat"] = json!("epub");
    }
    v.insert("media".into(), media);
    v.insert("numFiles".into(), json!(1));
    v.insert("size".into(), json!(it.size));
    Value::Object(v)
}

fn file_metadata(it: &Item) -> Value {
    let dir = format!("{}/{}", it.author, it.title);
    json!({"filename":it.file_name,"ext":format!(".{}", it.file_name.rsplit('.').next().unwrap_or("")),
        "path":format!("/audiobooks/{dir}/{}", it.file_name),"relPath":it.file_name,"size":it.size,
        "mtimeMs":it.file_mtime,"ctimeMs":it.file_ctime,"birthtimeMs":it.file_birthtime})
}

fn audio_file(it: &Item) -> Value {
    json!({"index":1,"ino":it.file_ino,"metadata":file_metadata(it),"addedAt":it.file_added_at,"updatedAt":it.file_added_at,
        "trackNumFromMeta":null,"discNumFromMeta":null,"trackNumFromFilename":null,"discNumFromFilename":null,
        "manuallyVerified":false,"exclude":false,"error":null,"format":"MP2/3 (MPEG audio layer 2/3)",
        "duration":whole(it.duration),"bitRate":8000,"language":null,"codec":"mp3","timeBase":"1/14112000","channels":1,
        "channelLayout":"mono","chapters":[],"embeddedCoverArt":null,
        "metaTags":{"tagAlbum":it.title,"tagArtist":it.author,"tagGenre":"Fiction","tagTitle":it.title,
            "tagAlbumArtist":it.author,"tagDate":it.published_year,"tagEncoder":"Lavf59.27.100","tagIsbn":it.isbn,
            "tagASIN":it.asin},
        "mimeType":"audio/mpeg"})
}

/// A library item as `GET /api/items/:id?expanded=1` returns it.
fn expanded_item(it: &Item, progress: Option<&Value>) -> Value {
    let mut v = item_head(it);
    let mut metadata = json!({"title":it.title,"subtitle":it.subtitle,"authors":[{"id":it.author_id,"name":it.author}],
        "narrators":[],"series":[],"genres":it.genres,"publishedYear":it.published_year,"publishedDate":null,
        "publisher":it.publisher,"description":null,"isbn":it.isbn,"asin":it.asin,"language":it.language,
        "explicit":false,"abridged":false,"titleIgnorePrefix":it.title,"authorName":it.author,
        "authorNameLF":author_lf(&it.author),"narratorName":"","seriesName":"","descriptionPlain":null});
    if metadata["genres"].is_null() {
        metadata["genres"] = json!([]);
    }
    let file_type = if it.audio { "audio" } else { "ebook" };
    let mut media = json!({"id":it.media_id,"metadata":metadata,"coverPath":null,"tags":[],
        "numTracks":u32::from(it.audio),"numAudioFiles":u32::from(it.audio),"numChapters":0,
        "duration":whole(it.duration),"size":it.size});
    if it.audio {
        let mut track = audio_file(it);
        track["title"] = json!(it.file_name);
        track["startOffset"] = json!(0);
        track["contentUrl"] = json!(format!("/api/items/{}/file/{}", it.id, it.file_ino));
        media["libraryItemId"] = json!(it.id);
        media["audioFiles"] = json!([audio_file(it)]);
        media["chapters"] = json!([]);
        media["ebookFile"] = Value::Null;
        media["tracks"] = json!([track]);
    } else {
        media["ebookFormat"] = json!("epub");
        media["libraryItemId"] = json!(it.id);
        media["audioFiles"] = json!([]);
        media["chapters"] = json!([]);
        media["ebookFile"] = json!({"ino":it.file_ino,"metadata":file_metadata(it),"isSupplementary":null,
            "addedAt":it.file_added_at,"updatedAt":it.file_added_at,"fileType":"ebook","ebookFormat":"epub"});
        media["tracks"] = json!([]);
    }
    v.insert("media".into(), media);
    v.insert("numFiles".into(), json!(1));
    v.insert("size".into(), json!(it.size));
    v.insert("lastScan".into(), json!(it.last_scan));
    v.insert("scanVersion".into(), json!("2.36.0"));
    v.insert(
        "libraryFiles".into(),
        json!([{"ino":it.file_ino,"metadata":file_metadata(it),"isSupplementary":if it.audio { Value::Null } else { json!(false) },
            "addedAt":it.library_file_added_at,"updatedAt":it.library_file_added_at,"fileType":file_type}]),
    );
    v.insert("userMediaProgress".into(), progress.cloned().unwrap_or(Value::Null));
    Value::Object(v)
}

/// A number as the server's JavaScript writes it: whole numbers without a fraction (`0`, not `0.0`).
fn whole(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 { json!(x as i64) } else { json!(x) }
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// ABS's progress filter states for one item.
fn matches_filter(filter: &str, p: Option<&Value>) -> bool {
    let finished = p.is_some_and(|p| p["isFinished"].as_bool().unwrap_or(false));
    let started =
        p.is_some_and(|p| num(p, "progress") > 0.0 || num(p, "currentTime") > 0.0 || num(p, "ebookProgress") > 0.0);
    match filter {
        "finished" => finished,
        "in-progress" => !finished && started,
        "not-started" => !finished && !started,
        "not-finished" => !finished,
        _ => true,
    }
}

async fn library_items(
    State(state): St,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let st = lock(&state);
    if id != LIBRARY_ID && id != PODCAST_LIBRARY_ID {
        return (StatusCode::NOT_FOUND, "Library not found").into_response();
    }
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let filter = q.get("filter").cloned();
    let progress_filter = filter.as_deref().and_then(|f| f.strip_prefix("progress.")).map(|b64| {
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    });
    let mut matching: Vec<&Item> = st
        .items
        .iter()
        .filter(|i| i.library_id == id)
        .filter(|i| progress_filter.as_deref().is_none_or(|f| matches_filter(f, st.progress.get(&i.id))))
        .collect();
    if q.get("sort").map(String::as_str) == Some("media.metadata.title") {
        matching.sort_by(|a, b| a.title.cmp(&b.title));
    }
    let total = matching.len();
    let (offset, results): (usize, Vec<Value>) = if limit == 0 {
        (0, matching.iter().map(|i| list_item(i)).collect())
    } else {
        let offset = page.saturating_mul(limit);
        (offset, matching.iter().skip(offset).take(limit).map(|i| list_item(i)).collect())
    };
    let mut body = json!({"results":results,"total":total,"limit":limit,"page":page,"sortDesc":false,
        "mediaType":if id == PODCAST_LIBRARY_ID { "podcast" } else { "book" },"minified":false,
        "collapseseries":false,"include":"","offset":offset});
    if let Some(sort) = q.get("sort") {
        body["sortBy"] = json!(sort);
    }
    if let Some(f) = filter {
        body["filterBy"] = json!(f);
    }
    reply(st.fault, body)
}

async fn item(State(state): St, Path(id): Path<String>) -> Response {
    let st = lock(&state);
    match st.items.iter().find(|i| i.id == id) {
        Some(it) => reply(st.fault, expanded_item(it, st.progress.get(&id))),
        None => (StatusCode::NOT_FOUND, "Item not found").into_response(),
    }
}

/// The 25-item shortcut the core must not rely on (unfinished only, no paging).
async fn items_in_progress(State(state): St) -> Response {
    let st = lock(&state);
    let items: Vec<Value> = st
        .items
        .iter()
        .filter(|i| !i.podcast && matches_filter("in-progress", st.progress.get(&i.id)))
        .take(25)
        .map(|i| {
            let mut v = list_item(i);
            v["progressLastUpdate"] = st.progress[&i.id]["lastUpdate"].clone();
            v
        })
        .collect();
    reply(st.fault, json!({ "libraryItems": items }))
}

async fn get_progress(State(state): St, Path(id): Path<String>) -> Response {
    let st = lock(&state);
    match st.progress.get(&id) {
        Some(p) => reply(st.fault, p.clone()),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

async fn patch_progress(State(state): St, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let mut st = lock(&state);
    if st.fault != Fault::None {
        return reply(st.fault, json!({}));
    }
    let Some(item) = st.items.iter().find(|i| i.id == id).cloned() else {
        return (StatusCode::NOT_FOUND, "Item not found").into_response();
    };
    let now = chrono::Utc::now().timestamp_millis();
    let n = st.progress.len();
    let p = st.progress.entry(id.clone()).or_insert_with(|| {
        json!({"id":uuid(0x5, n),"userId":USER_ID,"libraryItemId":id,"episodeId":null,"mediaItemId":item.media_id,
            "mediaItemType":"book","duration":whole(item.duration),"progress":0,"currentTime":0,"isFinished":false,
            "hideFromContinueListening":false,"ebookLocation":null,"ebookProgress":0,"lastUpdate":now,
            "startedAt":now,"finishedAt":null})
    });
    let was_finished = p["isFinished"].as_bool().unwrap_or(false);
    for key in ["progress", "currentTime", "duration", "ebookLocation", "ebookProgress", "hideFromContinueListening"] {
        if let Some(v) = body.get(key) {
            p[key] = v.clone();
        }
    }
    let finish = match body.get("isFinished").and_then(Value::as_bool) {
        Some(f) => Some(f),
        None if num(p, "progress") >= 1.0 && !was_finished => Some(true),
        None => None,
    };
    match finish {
        Some(true) => {
            if !was_finished || body.get("finishedAt").is_some() {
                p["finishedAt"] = body.get("finishedAt").filter(|v| !v.is_null()).cloned().unwrap_or(json!(now));
            }
            p["isFinished"] = json!(true);
            p["progress"] = json!(1);
        }
        Some(false) => {
            p["isFinished"] = json!(false);
            p["finishedAt"] = Value::Null;
        }
        None => {}
    }
    p["lastUpdate"] = json!(now);
    (StatusCode::OK, "OK").into_response()
}
