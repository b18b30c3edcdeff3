//! `mutation_root` fields. Hardcover's own mutations are actions: failures they foresee come back
//! as a non-null `error` string in the payload (HTTP 200, `errors` absent), which is why a client
//! must always select and check `error`.

mod args;
mod journals;
mod lists;
mod reads;
mod user_books;

use serde_json::{Value, json};

use self::args::{int_arg, missing, object_arg};
use self::journals::{edition_owned, insert_journal, update_journal};
use self::lists::insert_list_book;
use self::reads::{insert_read, update_read, upsert_reads};
use self::user_books::{insert_user_book, update_user_book};
use super::Ctx;
use crate::hardcover::graphql::project::Node;
use crate::hardcover::graphql::{GqlError, Sel};
use crate::hardcover::state::{Db, Table};

pub(super) const USER_BOOK_INPUT: &[&str] = &[
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
pub(super) const DATES_READ_INPUT: &[&str] = &[
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
pub(crate) const JOURNAL_INPUT: &[&str] =
    &["action_at", "book_id", "edition_id", "entry", "event", "metadata", "privacy_setting_id", "tags"];

/// A payload-level failure (`error` field) vs. a GraphQL error (`errors[]`).
pub(super) type Outcome<T> = Result<Result<T, String>, GqlError>;

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
        "insert_reading_journal" => {
            let input = object_arg(sel, "object", "ReadingJournalCreateType", JOURNAL_INPUT)?;
            let r = insert_journal(db, user, &input)?;
            Ok(journal_payload(&Ctx::new(db, user_id, base), r))
        }
        "update_reading_journal" => {
            let id = int_arg(sel, "id")?;
            let input = object_arg(sel, "object", "ReadingJournalUpdateType", JOURNAL_INPUT)?;
            let r = update_journal(db, user, id, &input)?;
            Ok(journal_payload(&Ctx::new(db, user_id, base), r))
        }
        "delete_reading_journal" => {
            let id = int_arg(sel, "id")?;
            if db.journal_owner(id) != Some(user) {
                return Err(GqlError::unexpected(format!("reading_journal {id} not found")));
            }
            db.journals.remove(&id);
            Ok(Node::Object("DeleteReadingJournalOutput", vec![("id", Node::Json(json!(id)))]))
        }
        "edition_owned" => {
            let id = int_arg(sel, "id")?;
            let list_book = edition_owned(db, user, id)?;
            let cx = Ctx::new(db, user_id, base);
            Ok(Node::Object(
                "ListBookIdType",
                vec![
                    ("id", Node::Json(json!(list_book))),
                    (
                        "list_book",
                        cx.row(Table::ListBooks, list_book).map_or(Node::Null, |r| Node::Row(Table::ListBooks, r)),
                    ),
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

/// `ReadingJournalOutput`: refusals come back in `errors` (a list, unlike the other payloads).
fn journal_payload(cx: &Ctx<'_>, r: Result<i64, String>) -> Node {
    let (id, error) = split(r);
    let row = id.and_then(|id| cx.row(Table::ReadingJournals, id));
    Node::Object(
        "ReadingJournalOutput",
        vec![
            ("id", Node::Json(json!(id))),
            ("errors", Node::Json(error.map_or(Value::Null, |e| json!([e])))),
            ("reading_journal", row.map_or(Node::Null, |r| Node::Row(Table::ReadingJournals, r))),
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
