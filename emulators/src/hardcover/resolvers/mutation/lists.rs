//! Adding books to a user's lists.

use serde_json::{Map, Value};

use super::args::opt_int;
use super::user_books::check_edition;
use crate::hardcover::graphql::GqlError;
use crate::hardcover::state::{Db, ListBook};

pub(super) fn insert_list_book(db: &mut Db, user: i64, input: &Map<String, Value>) -> Result<i64, GqlError> {
    let list_id = input
        .get("list_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| GqlError::validation("$", "missing required field 'list_id'"))?;
    let book_id = input
        .get("book_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| GqlError::validation("$", "missing required field 'book_id'"))?;
    if db.list_owner(list_id) != Some(user) {
        return Err(GqlError::unexpected(format!("list {list_id} not found")));
    }
    if !db.books.contains_key(&book_id) {
        return Err(GqlError::unexpected(format!("book {book_id} not found")));
    }
    let edition_id = opt_int(input, "edition_id")?.flatten();
    check_edition(db, book_id, edition_id).map_err(GqlError::unexpected)?;
    // Adding a book that is already on the list answers with the existing row.
    if let Some(existing) = db.list_books_of(list_id).iter().find(|lb| lb.book_id == book_id) {
        return Ok(existing.id);
    }
    let position = opt_int(input, "position")?
        .flatten()
        .or_else(|| Some(db.list_books_of(list_id).iter().filter_map(|lb| lb.position).max().unwrap_or(0) + 1));
    let now = db.now_timestamp();
    Ok(db.add_list_book(ListBook {
        id: 0,
        list_id,
        book_id,
        edition_id,
        position,
        date_added: now.clone(),
        created_at: now,
    }))
}
