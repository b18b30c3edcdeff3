//! ImportShelves: pull the user's statuses and lists from Hardcover into the local cache, so the
//! shelf browser and export work offline.
//!
//! Incremental after the first run: only user_books changed since the last import are fetched
//! (`updated_at > last`), and a list's rows only when its size changed. `updated_at` cannot show
//! deletions, so the per-status counts (two cheap aggregate requests) are compared with the cache,
//! and any difference falls back to a full re-read.

use chrono::{DateTime, Duration, Utc};

use crate::hardcover::{Edition, HardcoverClient, HardcoverError, ListBook, UserBook};
use crate::store::library::{CachedBook, CachedEdition, CachedList, CachedListBook, CachedRead, CachedUserBook};
use crate::store::{Store, StoreError};

const LAST_AT: &str = "import.last_at";
const USER_ID: &str = "import.user_id";

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Hardcover(#[from] HardcoverError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Whether everything was re-read (first import, another account, or counts disagreed).
    pub full: bool,
    pub user_books_fetched: usize,
    pub user_books_removed: usize,
    pub lists: usize,
    pub lists_refetched: usize,
}

impl ImportReport {
    /// Whether the local copy differs from before: books fetched or removed, lists re-read.
    pub fn changed_anything(&self) -> bool {
        self.full || self.user_books_fetched > 0 || self.user_books_removed > 0 || self.lists_refetched > 0
    }
}

/// Bring the cache up to date for `user_id`. `now` is when this import started.
pub async fn import_library(
    client: &HardcoverClient,
    store: &Store,
    user_id: i64,
    now: DateTime<Utc>,
    force_full: bool,
) -> Result<ImportReport, ImportError> {
    let same_user = store.meta_get(USER_ID)?.as_deref() == Some(user_id.to_string().as_str());
    let last =
        store.meta_get(LAST_AT)?.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|d| d.with_timezone(&Utc));
    let mut report = ImportReport::default();

    let incremental = match last {
        Some(last) if same_user && !force_full => {
            // A minute of overlap: clocks differ, and re-reading a row is harmless.
            let changed = client.user_books_since(user_id, last - Duration::minutes(1)).await?;
            report.user_books_fetched = changed.len();
            save_user_books(store, &changed)?;
            let remote = client.status_counts(user_id).await?;
            let local = store.status_counts()?;
            let remote: Vec<i64> = crate::hardcover::ReadingStatus::ALL.iter().map(|s| remote.get(*s)).collect();
            remote == local
        }
        _ => false,
    };
    if !incremental {
        report.full = true;
        let all = client.all_user_books(user_id, None).await?;
        report.user_books_fetched = all.len();
        save_user_books(store, &all)?;
        let ids: Vec<i64> = all.iter().map(|u| u.id).collect();
        report.user_books_removed = store.retain_user_books(&ids)?;
    }

    let cached_counts: std::collections::HashMap<i64, i64> = if report.full {
        Default::default()
    } else {
        store.lists()?.into_iter().map(|l| (l.id, l.books_count)).collect()
    };
    let mut lists = Vec::new();
    for list in client.all_lists(user_id).await? {
        let rows = if cached_counts.get(&list.id) == Some(&list.books_count) {
            store.list_books(list.id)?
        } else {
            report.lists_refetched += 1;
            let rows = client.all_list_books(list.id).await?;
            store.upsert_books(&rows.iter().map(|r| cached_book(&r.book)).collect::<Vec<_>>())?;
            rows.iter().map(cached_list_book).collect()
        };
        let cached = CachedList {
            id: list.id,
            name: list.name,
            slug: list.slug,
            description: list.description,
            books_count: list.books_count,
            updated_at: None,
        };
        lists.push((cached, rows));
    }
    report.lists = lists.len();
    store.replace_lists(&lists)?;

    store.meta_set(USER_ID, &user_id.to_string())?;
    store.meta_set(LAST_AT, &now.to_rfc3339())?;
    Ok(report)
}

/// When the cache was last brought up to date, if ever.
pub fn last_import(store: &Store) -> Result<Option<String>, StoreError> {
    store.meta_get(LAST_AT)
}

fn save_user_books(store: &Store, user_books: &[UserBook]) -> Result<(), StoreError> {
    store.upsert_books(&user_books.iter().map(|u| cached_book(&u.book)).collect::<Vec<_>>())?;
    store.upsert_editions(
        &user_books.iter().filter_map(|u| u.edition.as_ref()).map(cached_edition).collect::<Vec<_>>(),
    )?;
    let rows: Vec<(CachedUserBook, Vec<CachedRead>)> =
        user_books.iter().map(|u| (cached_user_book(u), cached_reads(u))).collect();
    store.upsert_user_books(&rows)
}

pub fn cached_book(b: &crate::hardcover::Book) -> CachedBook {
    CachedBook {
        id: b.id,
        title: b.title.clone().unwrap_or_else(|| format!("Book {}", b.id)),
        subtitle: b.subtitle.clone(),
        slug: b.slug.clone(),
        authors: b.authors.clone(),
        cover_url: b.image_url.clone(),
        pages: b.pages,
        release_year: b.release_year,
    }
}

pub fn cached_edition(e: &Edition) -> CachedEdition {
    CachedEdition {
        id: e.id,
        book_id: e.book_id,
        title: e.title.clone(),
        pages: e.pages,
        audio_seconds: e.audio_seconds,
        reading_format_id: Some(e.reading_format_id),
        isbn_10: e.isbn_10.clone(),
        isbn_13: e.isbn_13.clone(),
        asin: e.asin.clone(),
        cover_url: e.image_url.clone(),
    }
}

pub fn cached_user_book(u: &UserBook) -> CachedUserBook {
    CachedUserBook {
        id: u.id,
        book_id: u.book_id,
        edition_id: u.edition_id,
        status_id: u.status_id,
        rating: u.rating,
        date_added: Some(u.date_added.to_string()),
        updated_at: u.updated_at.map(|t| t.to_rfc3339()),
        owned: false,
    }
}

pub fn cached_reads(u: &UserBook) -> Vec<CachedRead> {
    u.reads
        .iter()
        .map(|r| CachedRead {
            id: r.id,
            user_book_id: u.id,
            edition_id: r.edition_id,
            progress: r.progress,
            progress_pages: r.progress_pages,
            progress_seconds: r.progress_seconds,
            started_at: r.started_at.map(|d| d.to_string()),
            finished_at: r.finished_at.map(|d| d.to_string()),
            paused_at: r.paused_at.map(|d| d.to_string()),
        })
        .collect()
}

fn cached_list_book(r: &ListBook) -> CachedListBook {
    CachedListBook {
        id: r.id,
        list_id: r.list_id,
        book_id: r.book_id,
        edition_id: r.edition_id,
        position: r.position,
        date_added: r.date_added.map(|d| d.to_rfc3339()),
    }
}
