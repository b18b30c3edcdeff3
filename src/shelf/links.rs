//! Links out of the app to Hardcover's own pages. Built here, from what the local copy holds and
//! only after checking it, so the window never asks to open a URL it made up itself.

use url::Url;

use crate::store::Store;

use super::cache;
use super::error::ShelfError;

/// Hardcover's website (the API lives elsewhere: `api.hardcover.app`).
pub const HARDCOVER_WEB: &str = "https://hardcover.app";

/// A book's page, `https://hardcover.app/books/<slug>`, when the slug is one Hardcover makes:
/// lower-case letters, digits and hyphens. Anything else (a path, a query, another host) is
/// refused rather than escaped, as no real slug needs it.
pub fn book_page(slug: &str) -> Option<Url> {
    let plain = !slug.is_empty()
        && slug.len() <= 200
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !plain {
        return None;
    }
    Url::parse(&format!("{HARDCOVER_WEB}/books/{slug}")).ok()
}

/// The page of a book in the local copy, or why there is none.
pub fn book_page_of(store: &Store, book_id: i64) -> Result<Url, ShelfError> {
    let book = cache::book(store, book_id)?.ok_or_else(|| {
        ShelfError::NotFound(format!("book {book_id} is not in the local library (refresh the library)"))
    })?;
    let slug = book.slug.as_deref().unwrap_or_default();
    book_page(slug).ok_or_else(|| {
        ShelfError::NotFound(format!(
            "Hardcover gave no web address for “{}”; search for it on hardcover.app",
            book.title
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_book_page_is_built_only_from_a_plain_slug() {
        assert_eq!(
            book_page("the-hobbit-1937").map(String::from).as_deref(),
            Some("https://hardcover.app/books/the-hobbit-1937"),
            "a real slug gives the book's page on hardcover.app"
        );
        for hostile in ["", "../../settings", "a/b", "x?y=1", "x#top", "evil.com", "Upper", "a b", "%2e%2e", "é"] {
            assert_eq!(book_page(hostile), None, "{hostile:?} is not a slug Hardcover makes: no link");
        }
    }
}
