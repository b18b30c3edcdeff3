//! Core structs (shelf, sync history, settings) ⇄ the IPC payload types of `model.rs`.
//!
//! Kept apart from `model.rs` so the payloads stay a plain mirror of the contract, and the
//! mapping (numeric narrowing, `&'static str` formats) sits in one place.

use chrono::SecondsFormat;
use std::path::PathBuf;

use hardcover_sync::app as core_app;
use hardcover_sync::config::{self, Config, SourceKind, TokenStoreKind};
use hardcover_sync::shelf;
use hardcover_sync::store::runs::SyncRun;
use hardcover_sync::sync::observe;
use hardcover_sync::sync::plan::Action;
use hardcover_sync::sync::summary::{ItemResult, Summary};

use crate::model::{
    BookDetail, BookFormat, BookList, BookRow, Direction, Edition, LinkedItem, NotificationSettings, Read, RunItem,
    RunSummary, SearchHit, Settings, ShelfCount, ShelfKind, Shelves, SourceKindDto, SourceSettings, SyncPhase,
    SyncProgress, TokenStore,
};

/// Counts, page numbers and seconds never go below zero or past u32 in practice; a corrupt
/// negative value shows as unknown rather than as a huge number.
fn small(v: Option<i64>) -> Option<u32> {
    v.and_then(|n| u32::try_from(n).ok())
}

pub fn sync_progress(p: observe::SyncProgress) -> SyncProgress {
    let phase = match p.phase {
        observe::SyncPhase::Listing => SyncPhase::Listing,
        observe::SyncPhase::Matching => SyncPhase::Matching,
        observe::SyncPhase::Updating => SyncPhase::Updating,
    };
    SyncProgress { phase, done: p.done, total: p.total }
}

pub fn shelves(s: core_app::Shelves) -> Shelves {
    let count = |sh: core_app::Shelf| ShelfCount {
        kind: match sh.kind {
            core_app::ShelfKind::Status => ShelfKind::Status,
            core_app::ShelfKind::List => ShelfKind::List,
        },
        id: sh.id,
        name: sh.name,
        count: u32::try_from(sh.count).unwrap_or(0),
    };
    Shelves {
        statuses: s.statuses.into_iter().map(count).collect(),
        lists: s.lists.into_iter().map(count).collect(),
        updated_at: s.updated_at,
        offline: s.offline,
    }
}

/// The core's format names (`shelf::model::format_name`); one it does not know shows as unknown.
fn book_format(name: &str) -> Option<BookFormat> {
    match name {
        "audio" => Some(BookFormat::Audio),
        "ebook" => Some(BookFormat::Ebook),
        "physical" => Some(BookFormat::Physical),
        "comic" => Some(BookFormat::Comic),
        _ => None,
    }
}

pub fn book_row(r: shelf::BookRow) -> BookRow {
    BookRow {
        user_book_id: r.user_book_id,
        book_id: r.book_id,
        title: r.title,
        authors: r.authors,
        cover_url: r.cover_url,
        status_id: r.status_id.and_then(|s| u8::try_from(s).ok()),
        rating: r.rating,
        progress: r.progress,
        format: r.format.and_then(book_format),
        pages: small(r.pages),
        audio_seconds: small(r.audio_seconds),
        isbn13: r.isbn13,
        date_added: r.date_added,
        finished_at: r.finished_at,
        list_ids: r.list_ids,
    }
}

pub fn edition(e: shelf::EditionInfo) -> Edition {
    Edition {
        id: e.id,
        title: e.title,
        format: e.format.map(str::to_owned),
        pages: small(e.pages),
        audio_seconds: small(e.audio_seconds),
        isbn13: e.isbn13,
        isbn10: e.isbn10,
        asin: e.asin,
    }
}

pub fn book_detail(d: shelf::BookDetail) -> BookDetail {
    BookDetail {
        row: book_row(d.row),
        subtitle: d.subtitle,
        edition: d.edition.map(edition),
        reads: d
            .reads
            .into_iter()
            .map(|r| Read {
                id: r.id,
                started_at: r.started_at,
                finished_at: r.finished_at,
                progress: r.progress,
                progress_pages: small(r.progress_pages),
                progress_seconds: small(r.progress_seconds),
                edition_id: r.edition_id,
            })
            .collect(),
        lists: d
            .lists
            .into_iter()
            .map(|l| BookList { list_id: l.list_id, list_book_id: l.list_book_id, name: l.name })
            .collect(),
        linked: d
            .linked
            .into_iter()
            .map(|l| LinkedItem { source: l.source, item_id: l.item_id, title: l.title, method: l.method })
            .collect(),
    }
}

pub fn search_hit(h: shelf::SearchHit) -> SearchHit {
    SearchHit {
        book_id: h.book_id,
        title: h.title,
        authors: h.authors,
        year: h.year.and_then(|y| i32::try_from(y).ok()),
        cover_url: h.cover_url,
    }
}

/// A stored run as the history shows it. A run still going (or cut off) has no summary yet: its
/// counts show as zero, with no finish time.
pub fn run_summary(run: &SyncRun) -> RunSummary {
    let summary = parsed_summary(run);
    RunSummary {
        run_id: run.id,
        started_at: run.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        finished_at: run.finished_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        dry_run: run.dry_run,
        added: summary.added,
        progress_updated: summary.progress_updated,
        finished: summary.finished,
        rated: summary.rated,
        written_back: summary.written_back,
        skipped: summary.skipped,
        unmatched: summary.unmatched,
        errors: summary.errors,
        hardcover_requests: summary.hardcover_requests,
    }
}

pub fn run_items(run: &SyncRun) -> Vec<RunItem> {
    parsed_summary(run)
        .items
        .into_iter()
        .map(|i| RunItem {
            source: i.source,
            id: i.id,
            title: i.title,
            action: i.action.as_str().to_owned(),
            result: i.result.as_str().to_owned(),
            reason: i.reason,
        })
        .collect()
}

/// The titles a run marked Read on Hardcover (for the "finished" notification).
pub fn finished_titles(summary: &Summary) -> Vec<String> {
    summary
        .items
        .iter()
        .filter(|i| i.action == Action::Finish && i.result == ItemResult::Ok)
        .map(|i| i.title.clone())
        .collect()
}

fn parsed_summary(run: &SyncRun) -> Summary {
    match run.summary.as_deref().map(serde_json::from_str::<Summary>) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            // History must still list the run; the log says why its counts are missing.
            tracing::warn!(run_id = run.id, "the stored summary of this run cannot be read: {e}");
            Summary::default()
        }
        None => Summary::default(),
    }
}

pub fn token_store_dto(kind: TokenStoreKind) -> TokenStore {
    match kind {
        TokenStoreKind::Keyring => TokenStore::Keyring,
        TokenStoreKind::File => TokenStore::File,
    }
}

fn token_store_kind(t: TokenStore) -> TokenStoreKind {
    match t {
        TokenStore::Keyring => TokenStoreKind::Keyring,
        TokenStore::File => TokenStoreKind::File,
    }
}

fn source_kind_dto(k: SourceKind) -> SourceKindDto {
    match k {
        SourceKind::Audiobookshelf => SourceKindDto::Audiobookshelf,
        SourceKind::Komga => SourceKindDto::Komga,
        SourceKind::Kavita => SourceKindDto::Kavita,
        SourceKind::Kosync => SourceKindDto::Kosync,
        SourceKind::Revenge => SourceKindDto::Revenge,
        SourceKind::Kobo => SourceKindDto::Kobo,
        SourceKind::Koreader => SourceKindDto::Koreader,
    }
}

fn source_kind(k: SourceKindDto) -> SourceKind {
    match k {
        SourceKindDto::Audiobookshelf => SourceKind::Audiobookshelf,
        SourceKindDto::Komga => SourceKind::Komga,
        SourceKindDto::Kavita => SourceKind::Kavita,
        SourceKindDto::Kosync => SourceKind::Kosync,
        SourceKindDto::Revenge => SourceKind::Revenge,
        SourceKindDto::Kobo => SourceKind::Kobo,
        SourceKindDto::Koreader => SourceKind::Koreader,
    }
}

/// The page's view of the core's settings. `start_at_login` is not in the config file: the OS
/// login items are the truth, so the caller passes what it found there.
pub fn settings(s: shelf::Settings, start_at_login: bool) -> Settings {
    Settings {
        interval: s.interval,
        direction: match s.direction {
            config::Direction::ToHardcover => Direction::ToHardcover,
            config::Direction::FromHardcover => Direction::FromHardcover,
            config::Direction::Bidirectional => Direction::Bidirectional,
        },
        regression_guard: s.regression_guard,
        currently_reading_threshold: s.currently_reading_threshold,
        sync_ratings: s.sync_ratings,
        overwrite_ratings: s.overwrite_ratings,
        notifications: NotificationSettings {
            finished: s.notifications.finished,
            failures: s.notifications.failures,
            reconnect: s.notifications.reconnect,
        },
        start_at_login,
        token_store: token_store_dto(s.token_store),
        sources: s
            .sources
            .into_iter()
            .map(|src| SourceSettings {
                kind: source_kind_dto(src.kind),
                name: src.name,
                url: src.url,
                username: src.username,
                library: src.library.iter().map(|p| p.display().to_string()).collect(),
                has_secret: src.has_secret,
                secret: None,
            })
            .collect(),
    }
}

/// One source as the page sent it, for the core. The page has no on/off switch per source:
/// `enabled` is kept from the config entry of the same name (a new source starts enabled).
pub fn source_settings(src: SourceSettings, current: &Config) -> shelf::SourceSettings {
    let name = src.name.trim().to_owned();
    let enabled = current.sources.iter().find(|c| c.name == name).is_none_or(|c| c.enabled);
    shelf::SourceSettings {
        kind: source_kind(src.kind),
        name,
        url: src.url,
        username: src.username,
        library: src.library.into_iter().map(PathBuf::from).collect(),
        // The page does not edit a device's mount path: the file's value is kept on save.
        path: None,
        enabled,
        has_secret: src.has_secret,
        secret: src.secret,
    }
}

/// The page's settings, for the core to save over `current` (the config as loaded now).
pub fn settings_to_core(s: Settings, current: &Config) -> shelf::Settings {
    shelf::Settings {
        interval: s.interval,
        direction: match s.direction {
            Direction::ToHardcover => config::Direction::ToHardcover,
            Direction::FromHardcover => config::Direction::FromHardcover,
            Direction::Bidirectional => config::Direction::Bidirectional,
        },
        regression_guard: s.regression_guard,
        currently_reading_threshold: s.currently_reading_threshold,
        sync_ratings: s.sync_ratings,
        overwrite_ratings: s.overwrite_ratings,
        notifications: shelf::settings::NotificationSettings {
            finished: s.notifications.finished,
            failures: s.notifications.failures,
            reconnect: s.notifications.reconnect,
        },
        token_store: token_store_kind(s.token_store),
        sources: s.sources.into_iter().map(|src| source_settings(src, current)).collect(),
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;
    fn config(yaml: &str) -> Config {
        Config::parse(yaml, std::path::Path::new("config.yaml"), &|_| None).unwrap()
    }

    #[test]
    fn settings_survive_the_trip_to_the_core_and_back() {
        let current = config(
            "sources:\n  - kind: komga\n    name: comics\n    url: http://komga.local\n    enabled: false\n\
             \x20 - kind: kosync\n    name: ko\n    url: http://ko.local\n    username: ada\n    library: [/books]\n",
        );
        let page = Settings {
            interval: "1h".into(),
            direction: Direction::ToHardcover,
            regression_guard: false,
            currently_reading_threshold: 0.25,
            sync_ratings: true,
            overwrite_ratings: true,
            notifications: NotificationSettings { finished: false, failures: true, reconnect: false },
            start_at_login: true,
            token_store: TokenStore::File,
            sources: vec![
                SourceSettings {
                    kind: SourceKindDto::Komga,
                    name: " comics ".into(),
                    url: "http://komga.lan".into(),
                    username: None,
                    library: vec![],
                    has_secret: false,
                    secret: None,
                },
                SourceSettings {
                    kind: SourceKindDto::Kosync,
                    name: "ko".into(),
                    url: "http://ko.local".into(),
                    username: Some("ada".into()),
                    library: vec!["/books".into()],
                    has_secret: true,
                    secret: None,
                },
                SourceSettings {
                    kind: SourceKindDto::Revenge,
                    name: "new".into(),
                    url: "http://rev.local".into(),
                    username: None,
                    library: vec![],
                    has_secret: false,
                    secret: Some("typed".into()),
                },
            ],
        };
        let core = settings_to_core(page.clone(), &current);
        let enabled: Vec<bool> = core.sources.iter().map(|s| s.enabled).collect();
        assert_eq!(
            enabled,
            [false, true, true],
            "the page has no on/off switch: a disabled source stays disabled, a new one starts enabled"
        );
        assert_eq!(core.sources[0].name, "comics", "names are trimmed before they key the config and keyring");
        assert_eq!(core.sources[2].secret.as_ref().map(|s| s.expose()), Some("typed"), "a typed secret is passed on");

        let back = settings(core, true);
        let mut want = page;
        want.sources[0].name = "comics".into();
        want.sources[2].secret = None;
        assert_eq!(back, want, "every field the page edits must come back as it was sent (secrets never come back)");
    }
}
