//! `mutation_root` fields. Hardcover's own mutations are actions: failures they foresee come back
//! as a non-null `error` string in the payload (HTTP 200, `errors` absent), which is why a client
//! must always select and check `error`.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::Ctx;
use crate::hardcover::graphql::project::Node;
use crate::hardcover::graphql::{GqlError, Sel};
use crate::hardcover::state::{Db, ListBook, Table, UserBook, UserBookRead, quirks, status};

const USER_BOOK_INPUT: &[&str] = &[
    "book_id",
    "date_added",
    "edition_id",
    "finished_at_precision",
    "first_started_reading_date",
    "last_read_date",
    "media_url",
    "privacy_setting_id",
    "private_notes",
    "rating",
    "read_count",
    "recommended_by",
    "recommended_for",
    "referrer_user_id",
    "review_has_spoilers",
    "review_slate",
    "reviewed_at",
    "sponsored_review",
    "status_id",
    "url",
    "user_date",
    "user_start_date",
];
const DATES_READ_INPUT: &[&str] = &[
    "action",
    "edition_id",
    "finished_at",
    "finished_at_precision",
    "id",
    "progress_pages",
    "progress_seconds",
    "started_at",
];
const LIST_BOOK_INPUT: &[&str] = &["book_id", "edition_id", "list_id", "position"];

/// A payload-level failure (`error` field) vs. a GraphQL error (`errors[]`).
type Outcome<T> = Result<Result<T, String>, GqlError>;

pub fn resolve(db: &mut Db, user_id: i64, base: &str, sel: &Sel) -> Result<Node, GqlError> {
    let user = user_id;
    match sel.name.as_str() {
        "__typename" => Ok(Node::Json(json!("mutation_root"))),
        "insert_user_book" => {
            let r = insert_user_book(db, user, object_arg(sel, "object", "UserBookCreateInput", USER_BOOK_INPUT)?)?;
            Ok(user_book_payload(&Ctx::new(db, user_id, base), r))
        }
        "update_user_book" => {
            let id = int_arg(sel, "id")?;
            let r = update_user_book(
                db,
                user,
                id,
                object_arg(sel, "object", "UserBookUpdateInput", &USER_BOOK_INPUT[1..])?,
            )?;
            Ok(user_book_payload(&Ctx::new(db, user_id, base), r))
        }
        "delete_user_book" => {
            let id = int_arg(sel, "id")?;
            let ub = db
                .user_books
                .get(&id)
                .filter(|u| u.user_id == user)
                .cloned()
                .ok_or_else(|| GqlError::unexpected(format!("user_book {id} not found")))?;
            db.user_books.remove(&id);
            db.reads.retain(|_, r| r.user_book_id != id);
            Ok(Node::Object(
                "UserBookDeleteType",
                vec![
                    ("id", Node::Json(json!(id))),
                    ("book_id", Node::Json(json!(ub.book_id))),
                    ("user_id", Node::Json(json!(user))),
                    ("user_book", Node::Null),
                ],
            ))
        }
        "insert_user_book_read" => {
            let ub = int_arg(sel, "user_book_id")?;
            let input = object_arg(sel, "user_book_read", "DatesReadInput", DATES_READ_INPUT)?;
            let r = insert_read(db, user, ub, &input)?;
            Ok(read_payload(&Ctx::new(db, user_id, base), r))
        }
        "update_user_book_read" => {
            let id = int_arg(sel, "id")?;
            let input = object_arg(sel, "object", "DatesReadInput", DATES_READ_INPUT)?;
            let r = update_read(db, user, id, &input)?;
            Ok(read_payload(&Ctx::new(db, user_id, base), r))
        }
        "delete_user_book_read" => {
            let id = int_arg(sel, "id")?;
            let r = if db.read_owner(id) == Some(user) {
                db.reads.remove(&id);
                Ok(id)
            } else {
                Err(format!("Read {id} not found"))
            };
            let (id, error) = split(r);
            Ok(Node::Object(
                "UserBookReadIdType",
                vec![
                    ("id", Node::Json(json!(id))),
                    ("error", Node::Json(json!(error))),
                    ("user_book_read", Node::Null),
                ],
            ))
        }
        "upsert_user_book_reads" => {
            let ub = int_arg(sel, "user_book_id")?;
            let reads =
                sel.arg("datesRead").and_then(Value::as_array).cloned().ok_or_else(|| missing(sel, "datesRead"))?;
            let r = upsert_reads(db, user, ub, &reads)?;
            let cx = Ctx::new(db, user_id, base);
            let (ok_id, error) = split(r);
            Ok(Node::Object(
                "UserBooksReadUpsertType",
                vec![
                    ("error", Node::Json(json!(error))),
                    ("user_book_id", Node::Json(json!(ok_id))),
                    (
                        "user_book",
                        ok_id
                            .and_then(|id| cx.row(Table::UserBooks, id))
                            .map_or(Node::Null, |r| Node::Row(Table::UserBooks, r)),
                    ),
                ],
            ))
        }
        "insert_list_book" => {
            let input = object_arg(sel, "object", "ListBookInput", LIST_BOOK_INPUT)?;
            let id = insert_list_book(db, user, &input)?;
            let cx = Ctx::new(db, user_id, base);
            Ok(Node::Object(
                "ListBookIdType",
                vec![
                    ("id", Node::Json(json!(id))),
                    ("list_book", cx.row(Table::ListBooks, id).map_or(Node::Null, |r| Node::Row(Table::ListBooks, r))),
                ],
            ))
        }
        "delete_list_book" => {
            let id = int_arg(sel, "id")?;
            if db.list_book_owner(id) != Some(user) {
                return Err(GqlError::unexpected(format!("list_book {id} not found")));
            }
            let lb = db.list_books.remove(&id).expect("ownership was just checked");
            let cx = Ctx::new(db, user_id, base);
            Ok(Node::Object(
                "ListBookDeleteType",
                vec![
                    ("id", Node::Json(json!(id))),
                    ("list_id", Node::Json(json!(lb.list_id))),
                    ("list", cx.row(Table::Lists, lb.list_id).map_or(Node::Null, |r| Node::Row(Table::Lists, r))),
                ],
            ))
        }
        other => Err(GqlError::not_found(other, "mutation_root")),
    }
}

fn split<T>(r: Result<T, String>) -> (Option<T>, Option<String>) {
    match r {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    }
}

fn user_book_payload(cx: &Ctx<'_>, r: Result<i64, String>) -> Node {
    let (id, error) = split(r);
    let row = id.and_then(|id| cx.row(Table::UserBooks, id));
    Node::Object(
        "UserBookIdType",
        vec![
            ("id", Node::Json(json!(id))),
            ("error", Node::Json(json!(error))),
            ("user_book", row.map_or(Node::Null, |r| Node::Row(Table::UserBooks, r))),
        ],
    )
}

fn read_payload(cx: &Ctx<'_>, r: Result<i64, String>) -> Node {
    let (id, error) = split(r);
    let row = id.and_then(|id| cx.row(Table::UserBookReads, id));
    Node::Object(
        "UserBookReadIdType",
        vec![
            ("id", Node::Json(json!(id))),
            ("error", Node::Json(json!(error))),
            ("user_book_read", row.map_or(Node::Null, |r| Node::Row(Table::UserBookReads, r))),
        ],
    )
}

// ---- argument parsing (what Hasura's validation would reject becomes an `errors[]` answer) ----

fn missing(sel: &Sel, arg: &str) -> GqlError {
    GqlError::validation(format!("$.selectionSet.{}.args.{arg}", sel.key), format!("missing required field '{arg}'"))
}

fn int_arg(sel: &Sel, name: &str) -> Result<i64, GqlError> {
    sel.arg(name).and_then(Value::as_i64).ok_or_else(|| missing(sel, name))
}

fn object_arg(sel: &Sel, name: &str, type_name: &str, allowed: &[&str]) -> Result<Map<String, Value>, GqlError> {
    let obj = sel.arg(name).and_then(Value::as_object).cloned().ok_or_else(|| missing(sel, name))?;
    check_keys(&obj, type_name, allowed)?;
    Ok(obj)
}

fn check_keys(obj: &Map<String, Value>, type_name: &str, allowed: &[&str]) -> Result<(), GqlError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(GqlError::not_found(k, type_name)),
        None => Ok(()),
    }
}

/// `Some(None)` = explicitly null, `None` = not given.
fn opt_int(obj: &Map<String, Value>, key: &str) -> Result<Option<Option<i64>>, GqlError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => v
            .as_i64()
            .map(|n| Some(Some(n)))
            .ok_or_else(|| GqlError::validation("$", format!("expected an Int for '{key}', got {v}"))),
    }
}

fn opt_date(obj: &Map<String, Value>, key: &str) -> Result<Option<Option<NaiveDate>>, GqlError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Some(Some(d)))
            .map_err(|_| GqlError::validation("$", format!("invalid date for '{key}': \"{s}\" (expected YYYY-MM-DD)"))),
        Some(v) => Err(GqlError::validation("$", format!("expected a date string for '{key}', got {v}"))),
    }
}

// ---- user_books ----

fn check_edition(db: &Db, book_id: i64, edition_id: Option<i64>) -> Result<(), String> {
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

fn insert_user_book(db: &mut Db, user: i64, input: Map<String, Value>) -> Outcome<i64> {
    let book_id = input
        .get("book_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| GqlError::validation("$", "missing required field 'book_id'"))?;
    let edition_id = opt_int(&input, "edition_id")?.flatten();
    let status_id = opt_int(&input, "status_id")?.flatten().unwrap_or(status::WANT_TO_READ);
    let rating = input.get("rating").and_then(Value::as_f64);
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

fn update_user_book(db: &mut Db, user: i64, id: i64, input: Map<String, Value>) -> Outcome<i64> {
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
        ub.rating = input.get("rating").and_then(Value::as_f64);
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

// ---- reads ----

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

fn insert_read(db: &mut Db, user: i64, user_book_id: i64, input: &Map<String, Value>) -> Outcome<i64> {
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

fn update_read(db: &mut Db, user: i64, id: i64, input: &Map<String, Value>) -> Outcome<i64> {
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
fn upsert_reads(db: &mut Db, user: i64, user_book_id: i64, entries: &[Value]) -> Outcome<i64> {
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

// ---- lists ----

fn insert_list_book(db: &mut Db, user: i64, input: &Map<String, Value>) -> Result<i64, GqlError> {
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
