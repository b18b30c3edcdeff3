//! Core structs (shelf, sync history) → the IPC payload types of `model.rs`.
//!
//! Kept apart from `model.rs` so the payloads stay a plain mirror of the contract, and the
//! mapping (numeric narrowing, `&'static str` formats) sits in one place.

use chrono::SecondsFormat;
use hardcover_sync::app as core_app;
use hardcover_sync::shelf;
use hardcover_sync::store::runs::SyncRun;
use hardcover_sync::sync::observe;
use hardcover_sync::sync::plan::Action;
use hardcover_sync::sync::summary::{ItemResult, Summary};

use crate::model::{
    BookDetail, BookList, BookRow, Edition, LinkedItem, Read, RunItem, RunSummary, SearchHit, ShelfCount, ShelfKind,
    Shelves, SyncPhase, SyncProgress,
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
        format: r.format.map(str::to_owned),
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
