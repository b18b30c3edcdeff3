//! Adding books to lists and taking them off (needs the `write:lists` scope), keeping the cached
//! list rows and counts in step.

use chrono::Utc;

use crate::app::App;
use crate::hardcover::{HardcoverError, NewListBook};
use crate::import::{cached_book, cached_edition};
use crate::store::library::CachedListBook;

use super::cache;
use super::error::ShelfError;

/// Put a book on a list. Already there (as far as the cache knows): nothing is sent, so a double
/// click cannot list a book twice.
pub async fn add_to_list(app: &App, book_id: i64, list_id: i64) -> Result<(), ShelfError> {
    let store = app.store();
    known_list(app, list_id)?;
    if cache::list_book_id(store, list_id, book_id)?.is_some() {
        return Ok(());
    }
    ensure_book_cached(app, book_id).await?;
    // The user's own edition when they have one, so the list shows the copy they read.
    let edition_id = store.user_book_for_book(book_id)?.and_then(|u| u.edition_id);
    let id = app.client().insert_list_book(NewListBook { list_id, book_id, edition_id, position: None }).await?;
    store.insert_list_book(&CachedListBook {
        id,
        list_id,
        book_id,
        edition_id,
        position: Some(cache::next_position(store, list_id)?),
        date_added: Some(Utc::now().to_rfc3339()),
    })?;
    Ok(())
}

/// Take a book off a list. Not on it: nothing to do.
pub async fn remove_from_list(app: &App, book_id: i64, list_id: i64) -> Result<(), ShelfError> {
    let store = app.store();
    known_list(app, list_id)?;
    let cached = cache::list_book_id(store, list_id, book_id)?;
    let id = match cached {
        Some(id) => id,
        // The cache may predate a change on the website: ask Hardcover before saying "not on it".
        None => match remote_list_book_id(app, list_id, book_id).await? {
            Some(id) => id,
            None => return Ok(()),
        },
    };
    match app.client().delete_list_book(id).await {
        Ok(_) => {}
        // The cached row was already removed elsewhere: find the current one, if any.
        Err(HardcoverError::Mutation { .. }) if cached.is_some() => {
            if let Some(fresh) = remote_list_book_id(app, list_id, book_id).await? {
                app.client().delete_list_book(fresh).await?;
            }
        }
        Err(e) => return Err(e.into()),
    }
    store.delete_list_book(list_id, book_id)?;
    Ok(())
}

fn known_list(app: &App, list_id: i64) -> Result<(), ShelfError> {
    if app.store().lists()?.iter().any(|l| l.id == list_id) {
        Ok(())
    } else {
        Err(ShelfError::NotFound(format!(
            "list {list_id} is not among your lists (refresh the library if you just made it)"
        )))
    }
}

/// Pages through the whole list: a long list holds the book beyond the first 100 rows.
async fn remote_list_book_id(app: &App, list_id: i64, book_id: i64) -> Result<Option<i64>, ShelfError> {
    Ok(app.client().all_list_books(list_id).await?.into_iter().find(|r| r.book_id == book_id).map(|r| r.id))
}

/// A book picked from search is not in the cache yet: fetch it (one request, its editions carry
/// the book) so the list shows it offline too.
pub(super) async fn ensure_book_cached(app: &App, book_id: i64) -> Result<(), ShelfError> {
    if cache::book(app.store(), book_id)?.is_some() {
        return Ok(());
    }
    let editions = app.client().book_editions(book_id).await?;
    let book = editions
        .iter()
        .find_map(|e| e.book.as_ref())
        .ok_or_else(|| ShelfError::NotFound(format!("Hardcover has no book {book_id}")))?;
    app.store().upsert_books(&[cached_book(book)])?;
    app.store().upsert_editions(&editions.iter().map(cached_edition).collect::<Vec<_>>())?;
    Ok(())
}
