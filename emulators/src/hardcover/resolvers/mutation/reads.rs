//! Inserting, updating and upserting `user_book_reads`.

use serde_json::{Map, Value};

use super::args::{check_keys, opt_date, opt_int};
use super::user_books::check_edition;
use super::{DATES_READ_INPUT, Outcome};
use crate::hardcover::state::{Db, UserBook, UserBookRead};

/// Apply a `DatesReadInput` to a read; keys absent from the input are left alone.
fn apply_dates(db: &Db, book_id: i64, read: &mut UserBookRead, input: &Map<String, Value>) -> Outcome<()> {
    if let Some(e) = opt_int(input, "edition_id")? {
        if let Err(msg) = check_edition(db, book_id, e) {
            return Ok(Err(msg));
        }
        read.edition_id = e;
    }
    if let Some(v) = opt_date(input, "started_at")? {
        read.started_at = v;
    }
    if let Some(v) = opt_date(input, "finished_at")? {
        read.finished_at = v;
    }
    if let Some(v) = opt_int(input, "progress_pages")? {
        read.progress_pages = v;
    }
    if let Some(v) = opt_int(input, "progress_seconds")? {
        read.progress_seconds = v;
    }
    if let Some(v) = opt_int(input, "finished_at_precision")? {
        read.finished_at_precision = v;
    }
    if let (Some(s), Some(f)) = (read.started_at, read.finished_at)
        && f < s
    {
        return Ok(Err(format!("finished_at {f} is before started_at {s}")));
    }
    Ok(Ok(()))
}

fn owned_user_book(db: &Db, user: i64, user_book_id: i64) -> Option<UserBook> {
    db.user_books.get(&user_book_id).filter(|u| u.user_id == user).cloned()
}

pub(super) fn insert_read(db: &mut Db, user: i64, user_book_id: i64, input: &Map<String, Value>) -> Outcome<i64> {
    let Some(ub) = owned_user_book(db, user, user_book_id) else {
        return Ok(Err(format!("User book {user_book_id} not found")));
    };
    let mut read = UserBookRead {
        id: 0,
        user_book_id,
        edition_id: ub.edition_id,
        started_at: None,
        finished_at: None,
        paused_at: None,
        progress_pages: None,
        progress_seconds: None,
        finished_at_precision: None,
    };
    if let Err(e) = apply_dates(db, ub.book_id, &mut read, input)? {
        return Ok(Err(e));
    }
    Ok(Ok(db.add_read(read)))
}

pub(super) fn update_read(db: &mut Db, user: i64, id: i64, input: &Map<String, Value>) -> Outcome<i64> {
    let Some(mut read) = db.reads.get(&id).cloned().filter(|_| db.read_owner(id) == Some(user)) else {
        return Ok(Err(format!("Read {id} not found")));
    };
    let book_id = db.user_books[&read.user_book_id].book_id;
    if let Err(e) = apply_dates(db, book_id, &mut read, input)? {
        return Ok(Err(e));
    }
    db.reads.insert(id, read);
    Ok(Ok(id))
}

/// Each entry with an `id` updates that read (or deletes it with `action: "delete"`); entries
/// without one are inserted.
pub(super) fn upsert_reads(db: &mut Db, user: i64, user_book_id: i64, entries: &[Value]) -> Outcome<i64> {
    if owned_user_book(db, user, user_book_id).is_none() {
        return Ok(Err(format!("User book {user_book_id} not found")));
    }
    for entry in entries {
        let input = entry.as_object().cloned().unwrap_or_default();
        check_keys(&input, "DatesReadInput", DATES_READ_INPUT)?;
        let action = input.get("action").and_then(Value::as_str).unwrap_or("");
        let outcome = match input.get("id").and_then(Value::as_i64) {
            Some(id) if db.reads.get(&id).map(|r| r.user_book_id) != Some(user_book_id) => {
                Err(format!("Read {id} is not a read of user book {user_book_id}"))
            }
            Some(id) if action.eq_ignore_ascii_case("delete") => {
                db.reads.remove(&id);
                Ok(id)
            }
            Some(id) => update_read(db, user, id, &input)?,
            None => insert_read(db, user, user_book_id, &input)?,
        };
        if let Err(e) = outcome {
            return Ok(Err(e));
        }
    }
    Ok(Ok(user_book_id))
}
