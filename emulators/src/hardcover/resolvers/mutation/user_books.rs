//! `insert_user_book` / `update_user_book`, which also trigger Hardcover's automatic reads.

use serde_json::{Map, Value};

use super::Outcome;
use super::args::{opt_date, opt_int};
use crate::hardcover::graphql::GqlError;
use crate::hardcover::state::{Db, UserBook, quirks, status};

/// Hasura's `numeric` accepts JSON numbers and numeric strings.
fn numeric(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

pub(super) fn check_edition(db: &Db, book_id: i64, edition_id: Option<i64>) -> Result<(), String> {
    match edition_id {
        Some(e) if db.editions.get(&e).map(|e| e.book_id) != Some(book_id) => {
            Err(format!("Edition {e} is not an edition of book {book_id}"))
        }
        _ => Ok(()),
    }
}

fn check_status(s: i64) -> Result<(), String> {
    if (status::WANT_TO_READ..=status::IGNORED).contains(&s) {
        Ok(())
    } else {
        Err(format!("Invalid status_id {s}: use 1-6"))
    }
}

fn check_rating(r: Option<f64>) -> Result<(), String> {
    match r {
        Some(r) if !(0.0..=5.0).contains(&r) => Err(format!("Invalid rating {r}: use 0-5")),
        _ => Ok(()),
    }
}

pub(super) fn insert_user_book(db: &mut Db, user: i64, input: Map<String, Value>) -> Outcome<i64> {
    let book_id = input
        .get("book_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| GqlError::validation("$", "missing required field 'book_id'"))?;
    let edition_id = opt_int(&input, "edition_id")?.flatten();
    let status_id = opt_int(&input, "status_id")?.flatten().unwrap_or(status::WANT_TO_READ);
    let rating = input.get("rating").and_then(numeric);
    let date_added = opt_date(&input, "date_added")?.flatten().unwrap_or(db.today);
    if !db.books.contains_key(&book_id) {
        return Ok(Err(format!("Book {book_id} not found")));
    }
    if let Some(existing) = db.user_book_for(user, book_id) {
        return Ok(Err(format!("Book {book_id} is already in your library (user_book {})", existing.id)));
    }
    if let Err(e) = check_edition(db, book_id, edition_id).and(check_status(status_id)).and(check_rating(rating)) {
        return Ok(Err(e));
    }
    let now = db.now_timestamp();
    let id = db.add_user_book(UserBook {
        id: 0,
        user_id: user,
        book_id,
        edition_id,
        status_id,
        rating,
        privacy_setting_id: opt_int(&input, "privacy_setting_id")?.flatten().unwrap_or(1),
        owned: false,
        private_notes: input.get("private_notes").and_then(Value::as_str).map(String::from),
        review_raw: None,
        date_added,
        created_at: now.clone(),
        updated_at: now,
        first_started_reading_date: opt_date(&input, "first_started_reading_date")?.flatten(),
    });
    quirks::apply_status_change(db, id, None, status_id);
    Ok(Ok(id))
}

pub(super) fn update_user_book(db: &mut Db, user: i64, id: i64, input: Map<String, Value>) -> Outcome<i64> {
    let Some(current) = db.user_books.get(&id).filter(|u| u.user_id == user).cloned() else {
        return Ok(Err(format!("User book {id} not found")));
    };
    let mut ub = current.clone();
    if let Some(e) = opt_int(&input, "edition_id")? {
        if let Err(msg) = check_edition(db, ub.book_id, e) {
            return Ok(Err(msg));
        }
        ub.edition_id = e;
    }
    if let Some(s) = opt_int(&input, "status_id")? {
        let s = s.unwrap_or(status::WANT_TO_READ);
        if let Err(msg) = check_status(s) {
            return Ok(Err(msg));
        }
        ub.status_id = s;
    }
    if input.contains_key("rating") {
        ub.rating = input.get("rating").and_then(numeric);
        if let Err(msg) = check_rating(ub.rating) {
            return Ok(Err(msg));
        }
    }
    if let Some(p) = opt_int(&input, "privacy_setting_id")? {
        ub.privacy_setting_id = p.unwrap_or(1);
    }
    if input.contains_key("private_notes") {
        ub.private_notes = input.get("private_notes").and_then(Value::as_str).map(String::from);
    }
    if let Some(d) = opt_date(&input, "date_added")? {
        ub.date_added = d.unwrap_or(db.today);
    }
    if let Some(d) = opt_date(&input, "first_started_reading_date")? {
        ub.first_started_reading_date = d;
    }
    ub.updated_at = db.now_timestamp();
    let new_status = ub.status_id;
    db.user_books.insert(id, ub);
    quirks::apply_status_change(db, id, Some(current.status_id), new_status);
    Ok(Ok(id))
}
