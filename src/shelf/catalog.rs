//! Looking things up in Hardcover's catalog (online only): free-text search and a book's editions.

use crate::app::App;

use super::error::ShelfError;
use super::model::{EditionInfo, SearchHit};

/// Hits per search: one page, one request.
pub const SEARCH_PER_PAGE: i64 = 25;

/// Books matching `query` (one request; Hardcover allows one search per operation).
pub async fn search(app: &App, query: &str) -> Result<Vec<SearchHit>, ShelfError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(ShelfError::InvalidInput("type a title, author or ISBN to search for".into()));
    }
    let results = app.client().search_books(query, 1, SEARCH_PER_PAGE).await?;
    Ok(results
        .hits
        .into_iter()
        .map(|h| SearchHit {
            book_id: h.book_id,
            title: h.title.unwrap_or_else(|| format!("Book {}", h.book_id)),
            authors: h.author_names,
            year: h.release_year,
            cover_url: h.image_url,
        })
        .collect())
}

/// The book's editions (up to 100, most read first), to pick the one the user owns.
pub async fn editions(app: &App, book_id: i64) -> Result<Vec<EditionInfo>, ShelfError> {
    let editions = app.client().book_editions(book_id).await?;
    if editions.is_empty() {
        return Err(ShelfError::NotFound(format!("Hardcover has no editions for book {book_id}")));
    }
    Ok(editions.iter().map(EditionInfo::from).collect())
}
