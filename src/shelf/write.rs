//! Status and rating changes: sent to Hardcover, then the cache is brought in line with what
//! Hardcover answers, so the window shows the change without a re-import.
//!
//! Status changes make Hardcover open or close reads by itself (API-FACTS.md, pitfalls), so the
//! user_book is read back with its reads after every status change; no read is ever made here.

use crate::app::App;
use crate::hardcover::{Change, HardcoverError, NewUserBook, ReadingStatus, UserBook, UserBookChanges};

use super::cache;
use super::error::ShelfError;
use super::model::BookRow;
use super::rows::row_of;

/// Put a book on a status shelf: adds it to the library when the user does not have it, else
/// changes only its status (never its edition). Returns the book's row as Hardcover now has it.
///
/// Whether the user has the book is asked of Hardcover when the cache does not know it: the
/// cache may predate a change on the website, and a second insert would be refused.
pub async fn set_status(app: &App, book_id: i64, status_id: i64) -> Result<BookRow, ShelfError> {
    let status = ReadingStatus::from_id(status_id)
        .ok_or_else(|| ShelfError::InvalidInput(format!("status {status_id} does not exist: statuses are 1 to 6")))?;
    let user_id = app.user_id().await?;
    let client = app.client();
    let changes = UserBookChanges { status: Some(status), ..UserBookChanges::default() };
    let cached = app.store().user_book_for_book(book_id)?.map(|u| u.id);
    let existing = match cached {
        Some(id) => Some(id),
        None => remote_user_book(app, user_id, book_id).await?.map(|u| u.id),
    };
    let sent = match existing {
        Some(id) => client.update_user_book(id, changes.clone()).await,
        None => client.insert_user_book(NewUserBook { status: Some(status), ..NewUserBook::new(book_id) }).await,
    };
    match sent {
        Ok(_) => {}
        // The cached row was deleted on the website since the last import: ask Hardcover what
        // the user has now, and update or add accordingly.
        Err(HardcoverError::Mutation { .. }) if cached.is_some() => {
            if let Some(stale) = cached {
                app.store().delete_user_book(stale)?;
            }
            match remote_user_book(app, user_id, book_id).await? {
                Some(u) => client.update_user_book(u.id, changes).await?,
                None => {
                    client.insert_user_book(NewUserBook { status: Some(status), ..NewUserBook::new(book_id) }).await?
                }
            };
        }
        Err(e) => return Err(e.into()),
    }
    refresh_user_book(app, user_id, book_id).await?;
    row_of(app.store(), book_id)
}

/// Rate a book the user has (halves from 0.5 to 5), or clear its rating with `None`.
pub async fn set_rating(app: &App, book_id: i64, rating: Option<f64>) -> Result<BookRow, ShelfError> {
    let rating = rating.map(validate_rating).transpose()?;
    let user_id = app.user_id().await?;
    let store = app.store();
    let mut ub = match store.user_book_for_book(book_id)? {
        Some(ub) => ub,
        None => {
            let remote = remote_user_book(app, user_id, book_id).await?.ok_or_else(|| {
                ShelfError::NotFound(format!(
                    "book {book_id} is not in your library: put it on a shelf before rating it"
                ))
            })?;
            // Added on the website since the last import: cache it as Hardcover has it.
            cache::save_user_book(store, &remote)?;
            store
                .user_book_for_book(book_id)?
                .ok_or_else(|| ShelfError::Internal(format!("book {book_id} was not cached")))?
        }
    };
    let changes = UserBookChanges {
        rating: match rating {
            Some(r) => Change::Set(r),
            None => Change::Clear,
        },
        ..UserBookChanges::default()
    };
    app.client().update_user_book(ub.id, changes).await?;
    // A rating opens and closes no reads: patching the cached row is exact and costs no request.
    ub.rating = rating;
    let reads = cache::library_row(store, book_id)?.map(|r| r.reads).unwrap_or_default();
    store.upsert_user_books(&[(ub, reads)])?;
    row_of(store, book_id)
}

/// Ratings are 0.5 to 5 in halves; anything else is refused before Hardcover sees it.
pub fn validate_rating(r: f64) -> Result<f64, ShelfError> {
    let halves = r * 2.0;
    if r.is_finite() && (1.0..=10.0).contains(&halves) && halves.fract() == 0.0 {
        Ok(r)
    } else {
        Err(ShelfError::InvalidInput(format!(
            "rating {r} is not allowed: ratings go from 0.5 to 5 in steps of 0.5 (clear the rating to remove it)"
        )))
    }
}

async fn remote_user_book(app: &App, user_id: i64, book_id: i64) -> Result<Option<UserBook>, ShelfError> {
    Ok(app.client().user_books_for_books(user_id, &[book_id]).await?.into_iter().find(|u| u.book_id == book_id))
}

/// Read the user_book back from Hardcover (with the reads it created or closed) into the cache.
async fn refresh_user_book(app: &App, user_id: i64, book_id: i64) -> Result<(), ShelfError> {
    let ub = remote_user_book(app, user_id, book_id).await?.ok_or_else(|| {
        ShelfError::Internal(format!("Hardcover did not return book {book_id} after changing it: refresh the library"))
    })?;
    cache::save_user_book(app.store(), &ub)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_halves_from_half_to_five() {
        for ok in [0.5, 1.0, 2.5, 4.5, 5.0] {
            assert_eq!(validate_rating(ok).unwrap(), ok, "{ok} is a valid rating");
        }
        for bad in [0.0, -1.0, 0.3, 4.25, 5.5, 10.0, f64::NAN, f64::INFINITY] {
            let err = validate_rating(bad).expect_err("a rating outside halves 0.5..=5 must be refused");
            assert_eq!(err.code(), crate::error::ErrorCode::InvalidInput);
            assert!(err.to_string().contains("0.5 to 5"), "the message must say what is allowed: {err}");
        }
    }
}
