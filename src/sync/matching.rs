//! Source item → Hardcover book (and edition).
//!
//! Order: cached match (free) → ASIN → ISBN-13 → ISBN-10, all items' identifiers in ONE bulk lookup
//! → free-text search per remaining item, scored, accepted only above a threshold. Below it the item
//! is unmatched and its candidates are kept for the UI. Every outcome is cached with the identifiers
//! it was made from, so the next sync asks Hardcover nothing about a known item.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::normalize;
use super::port::{Edition, HardcoverPort, PortError, ReadingFormat, SearchHit};
use crate::identifiers;
use crate::sources::model::{Format, SourceItem};
use crate::store::matches::{Candidate, MatchMethod, MatchRow};
use crate::store::{Store, StoreError};

/// Score a search hit must reach to be taken without asking the user. Exact title plus matching
/// author surname passes; an exact title with an unknown or different author does not.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// An unmatched item is searched again after this long: Hardcover's catalogue grows.
pub const RETRY_UNMATCHED_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// Candidates kept for an unmatched item.
const KEPT_CANDIDATES: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchOutcome {
    Matched {
        book_id: i64,
        edition_id: Option<i64>,
        method: MatchMethod,
        confidence: f64,
    },
    /// Nothing good enough; the best candidates, best first.
    Unmatched {
        candidates: Vec<Candidate>,
    },
    /// The user unlinked the item: it is not synced until they link it.
    Unlinked,
    /// Not looked up this time: the run's search budget was used up. Not cached, so a later
    /// sync matches it.
    Deferred,
}

impl MatchOutcome {
    fn from_row(row: &MatchRow) -> Self {
        match row.book_id {
            Some(book_id) => MatchOutcome::Matched {
                book_id,
                edition_id: row.edition_id,
                method: row.method,
                confidence: row.confidence,
            },
            None if row.method == MatchMethod::Manual => MatchOutcome::Unlinked,
            None => MatchOutcome::Unmatched { candidates: row.candidates.clone() },
        }
    }

    pub fn book_id(&self) -> Option<i64> {
        match self {
            MatchOutcome::Matched { book_id, .. } => Some(*book_id),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Port(#[from] PortError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What matching did: one outcome per input item (same order) and the requests it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchReport {
    pub outcomes: Vec<MatchOutcome>,
    pub requests: u32,
}

/// The identifiers a match is made from. Any change (a corrected ISBN, a retitled item) re-matches.
pub fn match_key(item: &SourceItem) -> String {
    let authors: Vec<String> = item.authors.iter().map(|a| normalize::author(a)).collect();
    format!(
        "asin={};isbn13={};isbn10={};title={};authors={}",
        item.asin.as_deref().and_then(identifiers::asin).unwrap_or_default(),
        item.isbn13.as_deref().and_then(identifiers::isbn).unwrap_or_default(),
        item.isbn10.as_deref().and_then(identifiers::isbn).unwrap_or_default(),
        normalize::title(&item.title),
        authors.join("|"),
    )
}

/// The best edition for `item` among those the bulk lookup returned: ASIN first, then ISBN-13, then
/// ISBN-10; among several, the one in the source's format, then a measurable one.
pub fn pick_by_identifiers<'e>(item: &SourceItem, editions: &'e [Edition]) -> Option<(&'e Edition, MatchMethod)> {
    let asin = item.asin.as_deref().and_then(identifiers::asin);
    let isbn13 = item.isbn13.as_deref().and_then(identifiers::isbn);
    let isbn10 = item.isbn10.as_deref().and_then(identifiers::isbn);
    let isbn10_as_13 = isbn10.as_deref().and_then(identifiers::isbn10_to_13);
    let norm = |v: &Option<String>, f: fn(&str) -> Option<String>| v.as_deref().and_then(f);

    let hit = |method: MatchMethod, e: &Edition| match method {
        MatchMethod::Asin => asin.is_some() && norm(&e.asin, identifiers::asin) == asin,
        MatchMethod::Isbn13 => isbn13.is_some() && norm(&e.isbn_13, identifiers::isbn) == isbn13,
        MatchMethod::Isbn10 => {
            (isbn10.is_some() && norm(&e.isbn_10, identifiers::isbn) == isbn10)
                || (isbn10_as_13.is_some() && norm(&e.isbn_13, identifiers::isbn) == isbn10_as_13)
        }
        MatchMethod::Search | MatchMethod::Manual => false,
    };
    for method in [MatchMethod::Asin, MatchMethod::Isbn13, MatchMethod::Isbn10] {
        let found: Vec<&Edition> = editions.iter().filter(|e| hit(method, e)).collect();
        if let Some(best) = found.into_iter().max_by_key(|e| edition_fit(item.format, e)) {
            return Some((best, method));
        }
    }
    None
}

/// Higher is better: same format as the source, then having a page count / length at all.
/// `max_by_key` keeps the last maximum, so ties go to the later edition; ids break nothing here.
fn edition_fit(format: Format, e: &Edition) -> (bool, bool) {
    (format_matches(format, e.reading_format), e.measure().is_some())
}

pub fn format_matches(format: Format, rf: Option<ReadingFormat>) -> bool {
    matches!(
        (format, rf),
        (Format::Audio, Some(ReadingFormat::Audio | ReadingFormat::Both))
            | (Format::Ebook | Format::Comic, Some(ReadingFormat::Ebook | ReadingFormat::Both))
            | (Format::Physical, Some(ReadingFormat::Physical | ReadingFormat::Both))
    )
}

/// 0..=1: how sure we are `hit` is `item`. Title counts most; the author confirms it. An unknown
/// author on either side scores below a matching one, so a bare title alone stays under the
/// default threshold.
pub fn score(item: &SourceItem, hit: &SearchHit) -> f64 {
    let a = normalize::title(&item.title);
    let b = normalize::title(&hit.title);
    let title = if a == b { 1.0 } else { jaccard(&a, &b) * 0.9 };
    let ours: Vec<String> = item.authors.iter().map(|x| normalize::author(x)).collect();
    let theirs: Vec<String> = hit.authors.iter().map(|x| normalize::author(x)).collect();
    let author = if ours.is_empty() || theirs.is_empty() {
        0.4
    } else {
        let mut best: f64 = 0.0;
        for x in &ours {
            for y in &theirs {
                let s = if x == y {
                    1.0
                } else if normalize::surname(x) == normalize::surname(y) {
                    0.8
                } else {
                    0.0
                };
                best = best.max(s);
            }
        }
        best
    };
    0.65 * title + 0.35 * author
}

fn jaccard(a: &str, b: &str) -> f64 {
    let sa: std::collections::HashSet<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let sb: std::collections::HashSet<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    let union = sa.union(&sb).count();
    if union == 0 { 0.0 } else { sa.intersection(&sb).count() as f64 / union as f64 }
}

/// Score every hit; the best one if it reaches `threshold`, and the ranked candidates either way.
pub fn choose(item: &SourceItem, hits: &[SearchHit], threshold: f64) -> (Option<(i64, f64)>, Vec<Candidate>) {
    let mut ranked: Vec<Candidate> = hits
        .iter()
        .map(|h| Candidate {
            book_id: h.book_id,
            title: h.title.clone(),
            authors: h.authors.clone(),
            score: score(item, h),
        })
        .collect();
    // Stable sort: among equal scores the search engine's order (popularity) wins.
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    ranked.truncate(KEPT_CANDIDATES);
    let best = ranked.first().filter(|c| c.score >= threshold).map(|c| (c.book_id, c.score));
    (best, ranked)
}

/// The free-text query for an item: its title without subtitle or series marker, and one author.
pub fn search_query(item: &SourceItem) -> String {
    let title = item.title.split(':').next().unwrap_or(&item.title).trim();
    match item.authors.first() {
        Some(a) => format!("{title} {}", normalize::author(a)),
        None => title.to_string(),
    }
}

/// Match `items`, reusing cached matches whose identifiers have not changed. At most
/// `max_searches` free-text searches are made (one request each): a first sync of a large library
/// must not spend the user's whole daily quota on searching; the rest wait for a later sync.
pub async fn match_items<P: HardcoverPort + ?Sized>(
    port: &P,
    store: &Store,
    items: &[SourceItem],
    threshold: f64,
    max_searches: u32,
    now: DateTime<Utc>,
) -> Result<MatchReport, MatchError> {
    match_items_observed(port, store, items, threshold, max_searches, now, &|_| {}).await
}

/// [`match_items`], telling `matched` how many items are settled so far (cached ones at once,
/// then one by one: a search each may take a while under Hardcover's rate limit).
#[allow(clippy::too_many_arguments)]
pub async fn match_items_observed<P: HardcoverPort + ?Sized>(
    port: &P,
    store: &Store,
    items: &[SourceItem],
    threshold: f64,
    max_searches: u32,
    now: DateTime<Utc>,
    matched: &(dyn Fn(usize) + Send + Sync),
) -> Result<MatchReport, MatchError> {
    let mut outcomes: Vec<Option<MatchOutcome>> = vec![None; items.len()];
    let mut requests = 0u32;
    for (i, item) in items.iter().enumerate() {
        if let Some(row) = store.match_get(&item.source, &item.id)? {
            // Manual decisions stand until the user changes them; automatic ones last while the
            // identifiers they were made from do.
            let stale_miss = row.book_id.is_none() && now - row.updated_at > RETRY_UNMATCHED_AFTER;
            if row.method == MatchMethod::Manual || (row.key == match_key(item) && !stale_miss) {
                outcomes[i] = Some(MatchOutcome::from_row(&row));
            }
        }
    }

    let todo: Vec<usize> = (0..items.len()).filter(|i| outcomes[*i].is_none()).collect();
    let mut settled = items.len() - todo.len();
    matched(settled);
    let mut searches = 0u32;
    let mut asins: Vec<String> = Vec::new();
    let mut isbns: Vec<String> = Vec::new();
    for &i in &todo {
        let item = &items[i];
        asins.extend(item.asin.as_deref().and_then(identifiers::asin));
        isbns.extend(item.isbn13.as_deref().and_then(identifiers::isbn));
        if let Some(ten) = item.isbn10.as_deref().and_then(identifiers::isbn) {
            isbns.extend(identifiers::isbn10_to_13(&ten));
            isbns.push(ten);
        }
    }
    asins.sort();
    asins.dedup();
    isbns.sort();
    isbns.dedup();
    let editions = if asins.is_empty() && isbns.is_empty() {
        Vec::new()
    } else {
        requests += u32::from(!asins.is_empty()) + u32::from(!isbns.is_empty());
        port.editions_by_identifiers(&asins, &isbns).await?
    };

    for &i in &todo {
        let item = &items[i];
        let key = match_key(item);
        let row = if let Some((edition, method)) = pick_by_identifiers(item, &editions) {
            MatchRow {
                source: item.source.clone(),
                item_id: item.id.clone(),
                book_id: Some(edition.book_id),
                edition_id: Some(edition.id),
                method,
                confidence: 1.0,
                candidates: Vec::new(),
                key,
                updated_at: now,
                title: Some(item.title.clone()),
                authors: item.authors.clone(),
            }
        } else if searches >= max_searches {
            outcomes[i] = Some(MatchOutcome::Deferred);
            settled += 1;
            matched(settled);
            continue;
        } else {
            searches += 1;
            requests += 1;
            let hits = port.search_books(&search_query(item)).await?;
            let (best, candidates) = choose(item, &hits, threshold);
            MatchRow {
                source: item.source.clone(),
                item_id: item.id.clone(),
                book_id: best.map(|(b, _)| b),
                edition_id: None,
                method: MatchMethod::Search,
                confidence: best.map(|(_, s)| s).unwrap_or(0.0),
                candidates: if best.is_some() { Vec::new() } else { candidates },
                key,
                updated_at: now,
                title: Some(item.title.clone()),
                authors: item.authors.clone(),
            }
        };
        // Cached as soon as it is known: an interrupted run does not pay for it twice.
        store.match_put(&row)?;
        outcomes[i] = Some(MatchOutcome::from_row(&row));
        settled += 1;
        matched(settled);
    }

    Ok(MatchReport {
        outcomes: outcomes.into_iter().map(|o| o.expect("every item was matched above")).collect(),
        requests,
    })
}

/// The user's own choice: this item is this book (and, optionally, this edition). Never replaced
/// by an automatic match. The edition only applies to a book not yet on the user's shelf; a book
/// already there keeps the user's edition.
pub fn link(
    store: &Store,
    source: &str,
    item_id: &str,
    book_id: i64,
    edition_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    store.match_put(&MatchRow {
        source: source.into(),
        item_id: item_id.into(),
        book_id: Some(book_id),
        edition_id,
        method: MatchMethod::Manual,
        confidence: 1.0,
        candidates: Vec::new(),
        key: String::new(),
        updated_at: now,
        // The item is not at hand: the stored title and authors are kept.
        title: None,
        authors: Vec::new(),
    })
}

/// Undo a (wrong) match. Remembered as the user's choice, so the next sync does not re-match the
/// same wrong book; the item is left out of syncs until linked.
pub fn unlink(store: &Store, source: &str, item_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    store.match_put(&MatchRow {
        source: source.into(),
        item_id: item_id.into(),
        book_id: None,
        edition_id: None,
        method: MatchMethod::Manual,
        confidence: 1.0,
        candidates: Vec::new(),
        key: String::new(),
        updated_at: now,
        // The item is not at hand: the stored title and authors are kept.
        title: None,
        authors: Vec::new(),
    })
}

/// Forget any match, manual or not: the next sync matches the item afresh.
pub fn rematch(store: &Store, source: &str, item_id: &str) -> Result<(), StoreError> {
    store.match_delete(source, item_id)
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
