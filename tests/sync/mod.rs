//! The sync engine end to end: the CLI in-process, the real client over loopback to the Hardcover
//! emulator, Audiobookshelf (and Komga) emulators as sources, a real SQLite file. Every test is
//! named after the rule it proves and checks the emulator's own state.

mod cli;
mod directions;
mod highlights;
mod matching;
mod processes;
mod progress;
mod resilience;
mod rules;
mod sources;

use chrono::{NaiveDate, TimeZone, Utc};
use hardcover_sync_emulators::audiobookshelf::{AbsEmulator, generated_item_id};
use hardcover_sync_emulators::hardcover::seed::reading_server_book;
use hardcover_sync_emulators::hardcover::state::{Db, Edition, UserBook, UserBookRead, format};
use hardcover_sync_emulators::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, RunningHardcover, SeedSpec};
use hardcover_sync_emulators::seed::SeedBook;
use serde_json::Value;

use crate::support::{Sandbox, TOKEN};

/// The emulator's "today": never a date the sources finished anything on, so a finish dated
/// today is always the server's own date, never the user's.
pub const TODAY: &str = "2026-11-25";

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are YYYY-MM-DD")
}

/// Noon UTC of a day, in epoch ms: the same calendar day in any zone within ±11 h.
pub fn noon_ms(s: &str) -> i64 {
    Utc.from_utc_datetime(&day(s).and_hms_opt(12, 0, 0).unwrap()).timestamp_millis()
}

/// A Hardcover emulator with a catalog and an EMPTY shelf for "reader".
pub async fn hardcover_with(limits: Limits) -> RunningHardcover {
    hardcover_with_catalog(limits, 80).await
}

/// [`hardcover_with`], with `books` books in the catalog.
pub async fn hardcover_with_catalog(limits: Limits, books: usize) -> RunningHardcover {
    HardcoverEmulator::builder()
        .library(SeedSpec { books, shelf_share: 0.0, long_list: 0, ..SeedSpec::default() })
        .user("reader")
        .personal_token(TOKEN, ALL_SCOPES)
        .limits(limits)
        .today(day(TODAY))
        .start()
        .await
        .expect("the Hardcover emulator must start on loopback")
}

/// Catalog editions matching `want`, one per book, lowest ids first.
pub fn editions(hc: &RunningHardcover, n: usize, want: impl Fn(&Db, &Edition) -> bool) -> Vec<Edition> {
    let db = hc.state().db();
    let mut books = std::collections::HashSet::new();
    db.editions.values().filter(|e| want(&db, e) && books.insert(e.book_id)).take(n).cloned().collect()
}

pub fn audio(_: &Db, e: &Edition) -> bool {
    e.reading_format_id == format::AUDIO && e.audio_seconds.is_some_and(|s| s > 0) && e.asin.is_some()
}

/// A printed edition with a page count and an ISBN-13, of a book with no other edition, so an
/// ebook item matched to it is counted against exactly this edition (and no audio pick shares
/// its book).
pub fn paper(db: &Db, e: &Edition) -> bool {
    e.reading_format_id == format::PHYSICAL
        && e.pages.is_some_and(|p| p > 0)
        && e.isbn_13.is_some()
        && db.editions_of(e.book_id).len() == 1
}

/// The reading-server twin of a catalog edition, started on `started` at `fraction`.
pub fn source_book(hc: &RunningHardcover, e: &Edition, fraction: f64, started: &str) -> SeedBook {
    let mut b = reading_server_book(&hc.state().db(), e.id).expect("the edition is in the catalog");
    b.fraction = fraction;
    b.started_ms = noon_ms(started);
    b.updated_ms = noon_ms(started) + 3_600_000;
    b
}

/// The same, finished on `finished`.
pub fn finished_book(hc: &RunningHardcover, e: &Edition, started: &str, finished: &str) -> SeedBook {
    let mut b = source_book(hc, e, 1.0, started);
    b.finished = true;
    b.finished_ms = Some(noon_ms(finished));
    b.updated_ms = noon_ms(finished);
    b
}

/// Hardcover + Audiobookshelf + a sandboxed CLI, connected.
pub struct World {
    pub hc: RunningHardcover,
    pub abs: AbsEmulator,
    pub sb: Sandbox,
    pub user: i64,
}

impl World {
    pub async fn start(hc: RunningHardcover, books: Vec<SeedBook>, sync_yaml: &str) -> Self {
        let abs = AbsEmulator::builder().books(books).start().await.expect("the ABS emulator must start");
        let yaml = format!(
            "    sync:\n{sync_yaml}sources:\n  - kind: audiobookshelf\n    name: abs\n    url: {}\n    api_key: abs-test-key\n",
            abs.base_url()
        );
        let sb = Sandbox::new(&hc, &yaml);
        let (ok, _, err) = sb.cli(&["connect", "--token", TOKEN]).await;
        assert!(ok, "connecting with a personal token must work: {err}");
        let user = hc.user_id("reader").expect("seeded user");
        // Connecting probes with a harmless mutation; count only what the syncs send.
        hc.state().reset_stats();
        Self { hc, abs, sb, user }
    }

    /// `sync --json [extra]`: (exit ok, the summary, stderr).
    pub async fn sync(&self, extra: &[&str]) -> (bool, Value, String) {
        let mut args = vec!["sync", "--json"];
        args.extend_from_slice(extra);
        let (ok, out, err) = self.sb.cli(&args).await;
        let v: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("sync --json must print JSON ({e}): {out}\n{err}"));
        (ok, v, err)
    }

    /// A sync that must succeed without errors.
    pub async fn sync_ok(&self) -> Value {
        let (ok, v, err) = self.sync(&[]).await;
        assert!(ok && v["errors"] == 0, "the sync must succeed without errors: {err}\n{v:#}");
        v
    }

    pub fn user_book(&self, book_id: i64) -> Option<UserBook> {
        self.hc.state().db().user_book_for(self.user, book_id).cloned()
    }

    /// Every read of the user's copy of `book_id`, oldest first.
    pub fn reads(&self, book_id: i64) -> Vec<UserBookRead> {
        let db = self.hc.state().db();
        let Some(ub) = db.user_book_for(self.user, book_id) else { return Vec::new() };
        let mut reads: Vec<UserBookRead> = db.reads_of(ub.id).into_iter().cloned().collect();
        reads.sort_by_key(|r| r.id);
        reads
    }

    pub fn item(n: usize) -> String {
        generated_item_id(n)
    }

    /// Mutation fields the emulator executed so far.
    pub fn mutation_fields(&self) -> u64 {
        let stats = self.hc.stats();
        stats
            .top_level_fields
            .iter()
            .filter(|(name, _)| {
                name.starts_with("insert_") || name.starts_with("update_") || name.starts_with("delete_")
            })
            .map(|(_, n)| n)
            .sum()
    }

    /// Every top-level field the emulator executed so far.
    pub fn fields(&self) -> u64 {
        self.hc.stats().top_level_fields.values().sum()
    }
}

/// The summary line of one item.
pub fn item_of<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("item {id} must be in the summary: {summary:#}"))
}

pub const TO_HARDCOVER: &str = "      direction: to_hardcover\n";

/// [`TO_HARDCOVER`] without the outbox settle window: for tests that run the next sync right
/// after one that was cut off, and want it to reconcile at once instead of waiting 40 s.
pub const TO_HARDCOVER_SETTLED: &str = "      direction: to_hardcover\n      outbox_settle: 0s\n";
