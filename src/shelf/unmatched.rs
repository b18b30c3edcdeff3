//! Source items no Hardcover book was found for (the "needs attention" list): named as their
//! source names them, with the search's best candidates for the user to pick from.

use serde::Serialize;

use crate::store::Store;
use crate::store::matches::Candidate;

use super::error::ShelfError;
use super::model::SearchHit;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UnmatchedItem {
    pub source: String,
    pub item_id: String,
    /// The item's title on its server; for items matched before the store kept it, the title
    /// the sync history last recorded, else the item id.
    pub title: String,
    /// As the item's server lists them (empty for items matched before the store kept them,
    /// until the weekly re-match).
    pub authors: Vec<String>,
    /// Best first.
    pub candidates: Vec<SearchHit>,
}

/// Every unmatched (or unlinked) item, by source and item id.
pub fn unmatched_items(store: &Store) -> Result<Vec<UnmatchedItem>, ShelfError> {
    let mut out = Vec::new();
    for m in store.matches_unmatched()? {
        let title = match m.title {
            Some(t) => t,
            None => store
                .history_for_item(&m.source, &m.item_id, 1)?
                .into_iter()
                .find_map(|h| h.title)
                .unwrap_or_else(|| m.item_id.clone()),
        };
        out.push(UnmatchedItem {
            source: m.source,
            item_id: m.item_id,
            title,
            authors: m.authors,
            candidates: m.candidates.into_iter().map(SearchHit::from).collect(),
        });
    }
    Ok(out)
}

/// The matcher keeps no year or cover for its candidates: they show by title and authors.
impl From<Candidate> for SearchHit {
    fn from(c: Candidate) -> Self {
        Self { book_id: c.book_id, title: c.title, authors: c.authors, year: None, cover_url: None }
    }
}
