//! Reads Hardcover creates or closes by itself when a user_book's status changes.
//!
//! Clients that do not expect these end up with duplicate "dates read" (API-FACTS.md, pitfalls),
//! so the emulator must reproduce them for the client's tests to mean anything.

use super::db::{AutoReadPolicy, Db};
use super::model::{UserBookRead, status};

/// Apply the automatic read a status change causes. `old` is `None` for a new user_book.
pub fn apply_status_change(db: &mut Db, user_book_id: i64, old: Option<i64>, new: i64) {
    if old == Some(new) {
        return;
    }
    let Some(ub) = db.user_books.get(&user_book_id) else { return };
    let edition_id = ub.edition_id;
    let today = db.today;
    let latest = db.latest_read(user_book_id).cloned();
    match new {
        status::READ => match latest {
            Some(open) if open.is_open() => {
                if let Some(r) = db.reads.get_mut(&open.id) {
                    r.finished_at = Some(today);
                    r.paused_at = None;
                }
            }
            Some(_finished) if db.auto_read_policy == AutoReadPolicy::KeepFinished => {}
            _ => {
                db.add_read(UserBookRead {
                    id: 0,
                    user_book_id,
                    edition_id,
                    started_at: None,
                    finished_at: Some(today),
                    paused_at: None,
                    progress_pages: None,
                    progress_seconds: None,
                    finished_at_precision: None,
                });
            }
        },
        status::CURRENTLY_READING if !latest.as_ref().is_some_and(|r| r.is_open()) => {
            db.add_read(UserBookRead {
                id: 0,
                user_book_id,
                edition_id,
                started_at: Some(today),
                finished_at: None,
                paused_at: None,
                progress_pages: None,
                progress_seconds: None,
                finished_at_precision: None,
            });
        }
        _ => {}
    }
}
