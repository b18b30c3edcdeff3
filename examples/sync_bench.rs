//! Sync benchmark: Hardcover requests, wall time and peak memory of the engine for 1,000 items,
//! and the wall time of a ~50-request first sync at Hardcover's real limits (60/min, burst 10).
//!
//! `cargo run --release -p hardcover-sync --example sync_bench`
//!
//! The parent process runs the emulators (a 1,000-book Hardcover catalog and an Audiobookshelf
//! server with 1,000 items matching it by ISBN/ASIN); each sync runs in a child process (this same
//! binary, `--engine`), so its VmHWM is the engine's alone, not the emulators'. Requests are read
//! from the Hardcover emulator's counter (top-level fields, what Hardcover bills).

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;
use hardcover_sync::config::{SourceConfig, SourceKind, SyncConfig};
use hardcover_sync::hardcover::{HardcoverClient, StaticToken};
use hardcover_sync::secret::Secret;
use hardcover_sync::sources::{self, ProgressSource};
use hardcover_sync::store::Store;
use hardcover_sync::sync::client_port::ClientPort;
use hardcover_sync::sync::matching::DEFAULT_THRESHOLD;
use hardcover_sync::sync::port::{
    Edition, HardcoverPort, NewUserBook, PortError, Read, ReadPatch, SearchHit, UserBook, UserBookPatch,
};
use hardcover_sync::sync::progress::Zone;
use hardcover_sync::sync::run::{SyncOptions, sync_once};
use hardcover_sync_emulators::audiobookshelf::{AbsEmulator, generated_item_id};
use hardcover_sync_emulators::hardcover::seed::reading_server_book;
use hardcover_sync_emulators::hardcover::state::format;
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, SeedSpec};
use hardcover_sync_emulators::seed::{BASE_MS, SeedBook};
use serde_json::{Value, json};

const ITEMS: usize = 1_000;
const TOKEN: &str = "hc_pat_bench_0001";
const ABS_KEY: &str = "abs-test-key";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if args.get(1).map(String::as_str) == Some("--engine") {
        let out = rt.block_on(engine(&args[2], &args[3], &args[4], args[5].parse()?))?;
        println!("{out}");
        return Ok(());
    }
    rt.block_on(parent())
}

/// Run the emulators, three syncs in child processes, and print the table.
async fn parent() -> anyhow::Result<()> {
    let hc = HardcoverEmulator::builder()
        .library(SeedSpec { books: ITEMS, shelf_share: 0.0, long_list: 0, ..SeedSpec::default() })
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .limits(Limits::unlimited())
        .start()
        .await?;
    let user = hc.user_id("reader").expect("seeded user");
    let books = library(&hc, ITEMS);
    let abs = AbsEmulator::builder().api_key(ABS_KEY).books(books.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.sqlite");

    let exe = std::env::current_exe()?;
    let run = |label: &'static str| {
        hc.state().reset_stats();
        let out = Command::new(&exe)
            .args(["--engine", &hc.graphql_url(), &abs.base_url(), &db.display().to_string(), &user.to_string()])
            .output()
            .expect("the engine child runs");
        assert!(out.status.success(), "{label}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("the child prints JSON");
        let fields: BTreeMap<String, u64> = hc.stats().top_level_fields;
        (label, v, fields)
    };

    let a = run("(a) first sync");
    let b = run("(b) second sync, nothing changed");
    // Ten books read on: progress moves forward on ten in-progress items.
    let mut changed = 0;
    for (n, book) in books.iter().enumerate() {
        if changed == 10 {
            break;
        }
        if book.finished {
            continue;
        }
        let fraction = (book.fraction + 0.05).min(0.99);
        let update = if book.audio {
            json!({"progress": fraction, "currentTime": (fraction * book.duration_secs.floor()).round(), "lastUpdate": BASE_MS + 400 * 86_400_000})
        } else {
            json!({"ebookProgress": fraction, "lastUpdate": BASE_MS + 400 * 86_400_000})
        };
        abs.patch_progress_raw(&generated_item_id(n), update);
        changed += 1;
    }
    let c = run("(c) ten books changed");
    let d = first_sync_at_real_limits(&exe).await?;

    println!("Sync benchmark: {ITEMS} Audiobookshelf items matched by ISBN/ASIN, Hardcover emulator (release build)");
    println!();
    println!(
        "| sync | Hardcover requests (emulator) | matching | shelf reads | changes | engine count | wall time | engine VmHWM |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, v, fields) in [a, b, c] {
        let total: u64 = fields.values().sum();
        let by = &v["by_method"];
        let sum = |names: &[&str]| names.iter().map(|n| by[*n].as_u64().unwrap_or(0)).sum::<u64>();
        println!(
            "| {label} | {total} | {} | {} | {} | {} | {} ms | {} MiB |",
            sum(&["editions_by_identifiers", "search_books"]),
            sum(&["user_books", "editions_of_books", "changed_since"]),
            sum(&["insert_user_book", "update_user_book", "reads", "insert_read", "update_read"]),
            v["summary"]["hardcover_requests"],
            v["wall_ms"],
            v["vmhwm_kb"].as_u64().unwrap_or(0) / 1024,
        );
        eprintln!(
            "{label}: fields {fields:?}; summary added={} progress={} finished={} skipped={} errors={}",
            v["summary"]["added"],
            v["summary"]["progress_updated"],
            v["summary"]["finished"],
            v["summary"]["skipped"],
            v["summary"]["errors"]
        );
    }
    let (total, v) = d;
    println!();
    println!("| first sync at Hardcover's real limits (60/min, burst 10) | Hardcover requests | wall time |");
    println!("|---|---:|---:|");
    println!(
        "| {REAL_LIMITS_ITEMS} books added | {total} | {:.1} s |",
        v["wall_ms"].as_u64().unwrap_or(0) as f64 / 1000.0
    );
    Ok(())
}

/// Books in the real-limits run: each costs two requests to add, plus the lookups: about 50.
const REAL_LIMITS_ITEMS: usize = 23;

/// A first sync against an emulator enforcing the free plan (60 a minute, burst 10), with the
/// client pacing itself from the headers: the wall time is almost all waiting for the refill.
async fn first_sync_at_real_limits(exe: &std::path::Path) -> anyhow::Result<(u64, Value)> {
    let hc = HardcoverEmulator::builder()
        .library(SeedSpec { books: 200, shelf_share: 0.0, long_list: 0, ..SeedSpec::default() })
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .limits(Limits::default())
        .start()
        .await?;
    let user = hc.user_id("reader").expect("seeded user");
    let abs = AbsEmulator::builder().api_key(ABS_KEY).books(library(&hc, REAL_LIMITS_ITEMS)).start().await?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.sqlite");
    let out = Command::new(exe)
        .args(["--engine", &hc.graphql_url(), &abs.base_url(), &db.display().to_string(), &user.to_string()])
        .output()?;
    anyhow::ensure!(out.status.success(), "real limits: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout)?;
    anyhow::ensure!(v["stopped"].is_null(), "the sync at real limits stopped: {v}");
    let stats = hc.stats();
    anyhow::ensure!(stats.status(429) == 0, "paced by the headers, the sync must never get a 429");
    Ok((stats.top_level_fields.values().sum(), v))
}

/// One catalog edition per book: the audio one (by ASIN) for every other book that has one,
/// else the printed one (by ISBN-13); progress spread, every third finished.
fn library(hc: &hardcover_sync_emulators::hardcover::RunningHardcover, items: usize) -> Vec<SeedBook> {
    let db = hc.state().db();
    let mut out = Vec::with_capacity(items);
    for (i, book_id) in db.books.keys().copied().enumerate().take(items) {
        let editions = db.editions_of(book_id);
        let audio = editions.iter().find(|e| e.reading_format_id == format::AUDIO && e.asin.is_some());
        let paper = editions.iter().find(|e| e.isbn_13.is_some());
        let pick = if i % 2 == 0 { audio.or(paper) } else { paper.or(audio) };
        let Some(e) = pick else { continue };
        let mut b = reading_server_book(&db, e.id).expect("catalog edition");
        let started = BASE_MS + i as i64 * 3_600_000;
        b.started_ms = started;
        b.updated_ms = started + 86_400_000;
        if i % 3 == 2 {
            b.fraction = 1.0;
            b.finished = true;
            b.finished_ms = Some(started + 10 * 86_400_000);
            b.updated_ms = started + 10 * 86_400_000;
        } else {
            b.fraction = ((i % 9) as f64 + 1.0) / 10.0;
        }
        out.push(b);
    }
    out
}

/// The child: one sync of the ABS source into Hardcover, engine only.
async fn engine(hc_url: &str, abs_url: &str, db: &str, user_id: i64) -> anyhow::Result<Value> {
    let store = Arc::new(Store::open(std::path::Path::new(db))?);
    let client = HardcoverClient::new(url::Url::parse(hc_url)?, Arc::new(StaticToken::new(TOKEN)))?;
    let cfg = SourceConfig {
        kind: SourceKind::Audiobookshelf,
        name: "abs".into(),
        url: url::Url::parse(abs_url)?,
        api_key: None,
        username: None,
        password: None,
        library: Vec::new(),
        path: None,
        journal: None,
        mark_owned: false,
        enabled: true,
    };
    let source: Arc<dyn ProgressSource> = Arc::from(sources::build(&cfg, Some(Secret::new(ABS_KEY)), store.clone())?);
    let port = Counting { inner: ClientPort::new(&client, user_id), client: &client, by: Default::default() };
    let config = SyncConfig::default();
    let opts = SyncOptions {
        config: &config,
        zone: Zone::utc(),
        now: Utc::now(),
        budget: 1_000_000,
        dry_run: false,
        match_threshold: DEFAULT_THRESHOLD,
        policies: &[],
        unavailable: &[],
    };
    let started = Instant::now();
    let outcome = sync_once(&port, &[source], &store, opts).await?;
    let wall_ms = started.elapsed().as_millis() as u64;
    let by: BTreeMap<&str, u64> = port.by.lock().unwrap().clone();
    Ok(json!({"wall_ms": wall_ms, "vmhwm_kb": vmhwm_kb(), "summary": outcome.summary, "by_method": by,
              "stopped": outcome.stopped.map(|e| e.to_string())}))
}

/// Peak resident set of this process (`VmHWM` in /proc/self/status), in KiB.
fn vmhwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The real port, counting the top-level fields each method sent (from the client's own counter).
struct Counting<'a> {
    inner: ClientPort<'a>,
    client: &'a HardcoverClient,
    by: std::sync::Mutex<BTreeMap<&'static str, u64>>,
}

impl Counting<'_> {
    async fn count<T>(&self, name: &'static str, f: impl std::future::Future<Output = T>) -> T {
        let before = self.client.requests_sent();
        let out = f.await;
        *self.by.lock().unwrap().entry(name).or_default() += self.client.requests_sent() - before;
        out
    }
}

#[async_trait]
impl HardcoverPort for Counting<'_> {
    async fn editions_by_identifiers(&self, asins: &[String], isbns: &[String]) -> Result<Vec<Edition>, PortError> {
        self.count("editions_by_identifiers", self.inner.editions_by_identifiers(asins, isbns)).await
    }
    async fn search_books(&self, query: &str) -> Result<Vec<SearchHit>, PortError> {
        self.count("search_books", self.inner.search_books(query)).await
    }
    async fn user_books(&self, book_ids: &[i64]) -> Result<Vec<UserBook>, PortError> {
        self.count("user_books", self.inner.user_books(book_ids)).await
    }
    async fn editions_of_books(&self, book_ids: &[i64]) -> Result<Vec<Edition>, PortError> {
        self.count("editions_of_books", self.inner.editions_of_books(book_ids)).await
    }
    async fn insert_user_book(&self, new: &NewUserBook) -> Result<i64, PortError> {
        self.count("insert_user_book", self.inner.insert_user_book(new)).await
    }
    async fn insert_user_book_with_reads(&self, new: &NewUserBook) -> Result<(i64, Option<Vec<Read>>), PortError> {
        self.count("insert_user_book", self.inner.insert_user_book_with_reads(new)).await
    }
    async fn update_user_book(&self, id: i64, patch: &UserBookPatch) -> Result<(), PortError> {
        self.count("update_user_book", self.inner.update_user_book(id, patch)).await
    }
    async fn reads(&self, id: i64) -> Result<Vec<Read>, PortError> {
        self.count("reads", self.inner.reads(id)).await
    }
    async fn insert_read(&self, id: i64, read: &ReadPatch) -> Result<i64, PortError> {
        self.count("insert_read", self.inner.insert_read(id, read)).await
    }
    async fn update_read(&self, id: i64, read: &ReadPatch) -> Result<(), PortError> {
        self.count("update_read", self.inner.update_read(id, read)).await
    }
    async fn changed_since(&self, since: chrono::DateTime<Utc>) -> Result<Option<Vec<UserBook>>, PortError> {
        self.count("changed_since", self.inner.changed_since(since)).await
    }
    fn budget_left(&self) -> Option<u32> {
        self.inner.budget_left()
    }
    fn fields_sent(&self) -> Option<u64> {
        self.inner.fields_sent()
    }
    fn server_time(&self) -> Option<chrono::DateTime<Utc>> {
        self.inner.server_time()
    }
}
