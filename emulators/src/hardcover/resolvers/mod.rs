//! Top-level fields and relationships: what each field of `query_root` / `mutation_root` returns,
//! which rows a user may see, and which scope a field needs.

pub mod mutation;
pub mod query;
pub mod search;

use std::cell::OnceCell;
use std::collections::HashMap;

use serde_json::Value;

use super::state::{Db, Edition, Table, UserBookRead};

/// What one request may see: the database, the caller, and the base URL covers live under.
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub user_id: i64,
    pub base: &'a str,
    /// Reads by user_book, built on first use: a user_book row's computed columns need its
    /// reads, and scanning every read for every row is quadratic on big libraries.
    reads_by_user_book: OnceCell<HashMap<i64, Vec<&'a UserBookRead>>>,
    /// Editions by book, for the same reason.
    editions_by_book: OnceCell<HashMap<i64, Vec<&'a Edition>>>,
}

/// A relationship's target.
pub enum Related {
    One(Table, Option<Value>),
    Many(Table, Vec<Value>),
}

fn id_of(row: &Value, col: &str) -> Option<i64> {
    row.get(col).and_then(Value::as_i64)
}

impl<'a> Ctx<'a> {
    pub fn new(db: &'a Db, user_id: i64, base: &'a str) -> Self {
        Self { db, user_id, base, reads_by_user_book: OnceCell::new(), editions_by_book: OnceCell::new() }
    }

    fn reads_of(&self, user_book_id: i64) -> &[&'a UserBookRead] {
        let index = self.reads_by_user_book.get_or_init(|| {
            let mut m: HashMap<i64, Vec<&'a UserBookRead>> = HashMap::new();
            for r in self.db.reads.values() {
                m.entry(r.user_book_id).or_default().push(r);
            }
            m
        });
        index.get(&user_book_id).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn editions_of(&self, book_id: i64) -> &[&'a Edition] {
        let index = self.editions_by_book.get_or_init(|| {
            let mut m: HashMap<i64, Vec<&'a Edition>> = HashMap::new();
            for e in self.db.editions.values() {
                m.entry(e.book_id).or_default().push(e);
            }
            m
        });
        index.get(&book_id).map_or(&[], Vec::as_slice)
    }

    /// Users only see their own library rows (user_books, reads, lists, list_books).
    pub fn visible(&self, table: Table, row: &Value) -> bool {
        let id = id_of(row, "id").unwrap_or_default();
        match table {
            Table::UserBooks | Table::Lists => id_of(row, "user_id") == Some(self.user_id),
            // Journals are social (public entries show on feeds); the emulator keeps each user's own.
            Table::ReadingJournals => id_of(row, "user_id") == Some(self.user_id),
            Table::UserBookReads => self.db.read_owner(id) == Some(self.user_id),
            Table::ListBooks => self.db.list_book_owner(id) == Some(self.user_id),
            _ => true,
        }
    }

    pub fn row(&self, table: Table, id: i64) -> Option<Value> {
        let row = match table {
            Table::UserBooks => self.db.user_book_row(id, self.reads_of(id)),
            Table::Books => self.db.book_row(id, self.base, self.editions_of(id)),
            _ => self.db.row(table, id, self.base),
        };
        row.filter(|r| self.visible(table, r))
    }

    /// Every row of `table` the caller may see, ascending id.
    pub fn all(&self, table: Table) -> Vec<Value> {
        // Narrow library tables to the caller's rows before building JSON: the big libraries of
        // benchmarks would otherwise materialize every user's rows on every query.
        let db = self.db;
        let mine: Vec<i64> = db.user_books_of(self.user_id).iter().map(|u| u.id).collect();
        let my_lists: Vec<i64> = db.lists_of(self.user_id).iter().map(|l| l.id).collect();
        let ids: Vec<i64> = match table {
            Table::UserBooks => mine,
            Table::UserBookReads => {
                db.reads.values().filter(|r| mine.binary_search(&r.user_book_id).is_ok()).map(|r| r.id).collect()
            }
            Table::Lists => my_lists,
            Table::ReadingJournals => {
                db.journals.values().filter(|j| j.user_id == self.user_id).map(|j| j.id).collect()
            }
            Table::ListBooks => db
                .list_books
                .values()
                .filter(|lb| my_lists.binary_search(&lb.list_id).is_ok())
                .map(|lb| lb.id)
                .collect(),
            _ => db.ids(table),
        };
        self.many(table, ids)
    }

    fn many(&self, table: Table, ids: impl IntoIterator<Item = i64>) -> Vec<Value> {
        ids.into_iter().filter_map(|id| self.row(table, id)).collect()
    }

    fn one(&self, table: Table, id: Option<i64>) -> Related {
        Related::One(table, id.and_then(|id| self.row(table, id)))
    }

    /// The relationship `name` of a `table` row, or `None` when `name` is not a relationship.
    pub fn relation(&self, table: Table, row: &Value, name: &str) -> Option<Related> {
        let db = self.db;
        let id = id_of(row, "id").unwrap_or_default();
        let col = |c: &str| id_of(row, c);
        Some(match (table, name) {
            (Table::Users, "user_books") => {
                Related::Many(Table::UserBooks, self.many(Table::UserBooks, db.user_books_of(id).iter().map(|u| u.id)))
            }
            // Seeded users have no avatar: the relation exists (the client selects it), empty.
            (Table::Users, "image") => Related::One(Table::Images, None),
            (Table::Users, "lists") => {
                Related::Many(Table::Lists, self.many(Table::Lists, db.lists_of(id).iter().map(|l| l.id)))
            }
            (Table::UserBooks | Table::ListBooks | Table::Editions | Table::ReadingJournals, "book") => {
                self.one(Table::Books, col("book_id"))
            }
            (Table::Contributions, "book") => self.one(Table::Books, col("contributable_id")),
            (Table::UserBooks | Table::UserBookReads | Table::ListBooks | Table::ReadingJournals, "edition") => {
                self.one(Table::Editions, col("edition_id"))
            }
            (Table::UserBooks | Table::Lists | Table::ReadingJournals, "user") => {
                self.one(Table::Users, col("user_id"))
            }
            (Table::UserBooks, "user_book_reads") => {
                let ids: Vec<i64> = self.reads_of(id).iter().map(|r| r.id).collect();
                Related::Many(Table::UserBookReads, self.many(Table::UserBookReads, ids))
            }
            (Table::UserBooks, "user_book_status") => self.one(Table::UserBookStatuses, col("status_id")),
            (Table::UserBookReads, "user_book") => self.one(Table::UserBooks, col("user_book_id")),
            (Table::Books, "editions") => {
                let ids: Vec<i64> = self.editions_of(id).iter().map(|e| e.id).collect();
                Related::Many(Table::Editions, self.many(Table::Editions, ids))
            }
            (Table::Books, "contributions") | (Table::Editions, "contributions") => {
                let book_id = if table == Table::Books { id } else { col("book_id").unwrap_or_default() };
                let n = db.books.get(&book_id).map_or(0, |b| b.author_ids.len() as i64);
                Related::Many(Table::Contributions, self.many(Table::Contributions, (0..n).map(|i| book_id * 10 + i)))
            }
            (Table::Books | Table::Editions, "image") => self.one(Table::Images, col("image_id")),
            (Table::Books, "default_physical_edition") => self.one(Table::Editions, col("default_physical_edition_id")),
            (Table::Books, "default_audio_edition") => self.one(Table::Editions, col("default_audio_edition_id")),
            (Table::Books, "default_ebook_edition") => self.one(Table::Editions, col("default_ebook_edition_id")),
            (Table::Books, "default_cover_edition") => self.one(Table::Editions, col("default_cover_edition_id")),
            (Table::Books, "user_books") => Related::Many(
                Table::UserBooks,
                self.many(Table::UserBooks, db.user_books.values().filter(|u| u.book_id == id).map(|u| u.id)),
            ),
            (Table::Books | Table::Editions, "list_books") => {
                let ids = db
                    .list_books
                    .values()
                    .filter(|lb| if table == Table::Books { lb.book_id == id } else { lb.edition_id == Some(id) });
                Related::Many(Table::ListBooks, self.many(Table::ListBooks, ids.map(|lb| lb.id).collect::<Vec<_>>()))
            }
            (Table::Editions, "reading_format") => self.one(Table::ReadingFormats, col("reading_format_id")),
            (Table::Contributions, "author") => self.one(Table::Authors, col("author_id")),
            (Table::Authors, "contributions") => {
                let ids = db.books.values().flat_map(|b| {
                    b.author_ids.iter().enumerate().filter(|(_, a)| **a == id).map(move |(i, _)| b.id * 10 + i as i64)
                });
                Related::Many(Table::Contributions, self.many(Table::Contributions, ids.collect::<Vec<_>>()))
            }
            (Table::Lists, "list_books") => Related::Many(
                Table::ListBooks,
                self.many(Table::ListBooks, db.list_books_of(id).iter().map(|lb| lb.id)),
            ),
            (Table::ListBooks, "list") => self.one(Table::Lists, col("list_id")),
            _ => return None,
        })
    }
}

/// The scope a top-level field needs (Hardcover's scoped tokens); `None` for unknown fields,
/// which fail later as "not found".
pub fn required_scope(mutation: bool, field: &str) -> Option<&'static str> {
    if mutation {
        return if field.contains("list_book") {
            Some("write:lists")
        } else if field.contains("user_book") {
            Some("write:library")
        } else {
            None
        };
    }
    let base = field.trim_end_matches("_by_pk").trim_end_matches("_aggregate");
    match base {
        "me" | "users" => Some("read:me:content"),
        "user_books" | "user_book_reads" | "user_book_statuses" | "lists" | "list_books" => Some("read:library"),
        "books" | "editions" | "authors" | "reading_formats" | "images" | "contributions" | "search" => {
            Some("read:catalog")
        }
        _ => None,
    }
}
