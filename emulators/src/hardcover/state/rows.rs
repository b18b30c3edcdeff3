//! The JSON each row shows to GraphQL: stored columns plus the ones Hardcover computes
//! (`progress`, `read_count`, `cached_contributors`, `cached_image`, …).

use serde_json::{Value, json};

use super::{Db, Edition, Table, UserBookRead, format};

const STATUS_NAMES: &[(i64, &str, &str)] = &[
    (1, "Want to Read", "want-to-read"),
    (2, "Currently Reading", "currently-reading"),
    (3, "Read", "read"),
    (4, "Paused", "paused"),
    (5, "Did Not Finish", "did-not-finish"),
    (6, "Ignored", "ignored"),
];

/// Where a book's cover is served (by `covers.rs`), under the base URL the client used.
pub fn cover_url(base: &str, book_id: i64) -> String {
    format!("{base}/covers/{book_id}.png")
}

fn merge(mut row: Value, extra: Value) -> Value {
    if let (Some(o), Value::Object(e)) = (row.as_object_mut(), extra) {
        o.extend(e);
    }
    row
}

impl Db {
    /// Every id of a table, ascending (Postgres has no order without `order_by`; ascending ids
    /// keep the emulator deterministic).
    pub fn ids(&self, table: Table) -> Vec<i64> {
        match table {
            Table::Users => self.users.keys().copied().collect(),
            Table::Authors => self.authors.keys().copied().collect(),
            Table::Books | Table::Images => self.books.keys().copied().collect(),
            Table::Editions => self.editions.keys().copied().collect(),
            Table::ReadingFormats => format::ALL.iter().map(|(id, _)| *id).collect(),
            Table::UserBookStatuses => STATUS_NAMES.iter().map(|(id, ..)| *id).collect(),
            Table::Contributions => {
                self.books.values().flat_map(|b| (0..b.author_ids.len() as i64).map(move |i| b.id * 10 + i)).collect()
            }
            Table::UserBooks => self.user_books.keys().copied().collect(),
            Table::UserBookReads => self.reads.keys().copied().collect(),
            Table::Lists => self.lists.keys().copied().collect(),
            Table::ListBooks => self.list_books.keys().copied().collect(),
            Table::ReadingJournals => self.journals.keys().copied().collect(),
        }
    }

    /// The row `id` of `table` as GraphQL sees it; `base` is the emulator's public base URL.
    pub fn row(&self, table: Table, id: i64, base: &str) -> Option<Value> {
        let ser = |v: &dyn erased::Ser| v.to_json();
        Some(match table {
            Table::Users => {
                let u = self.users.get(&id)?;
                let books_count = self.user_books_of(id).len();
                with_defaults(merge(ser(u), json!({"books_count": books_count})), user_defaults())
            }
            Table::Authors => ser(self.authors.get(&id)?),
            Table::Books => return self.book_row(id, base, &self.editions_of(id)),
            Table::Editions => {
                let e = self.editions.get(&id)?;
                merge(
                    ser(e),
                    json!({
                        "cached_contributors": self.cached_contributors(e.book_id),
                        "cached_image": self.image_json(e.book_id, base),
                        "image_id": e.book_id,
                        "isbn_10_valid": e.isbn_10.as_ref().map(|_| true),
                        "isbn_13_valid": e.isbn_13.as_ref().map(|_| true),
                    }),
                )
                .pipe(|row| with_defaults(row, edition_defaults()))
            }
            Table::ReadingFormats => {
                let (id, name) = format::ALL.iter().find(|(f, _)| *f == id)?;
                json!({"id": id, "format": name})
            }
            Table::UserBookStatuses => {
                let (id, status, slug) = STATUS_NAMES.iter().find(|(s, ..)| *s == id)?;
                json!({"id": id, "status": status, "slug": slug, "description": status})
            }
            Table::Images => {
                self.books.get(&id)?;
                self.image_json(id, base)
            }
            Table::Contributions => {
                let book = self.books.get(&(id / 10))?;
                let author_id = *book.author_ids.get((id % 10) as usize)?;
                json!({"id": id, "author_id": author_id, "contributable_id": book.id,
                       "contributable_type": "Book", "contribution": null})
            }
            Table::UserBooks => return self.user_book_row(id, &self.reads_of(id)),
            Table::UserBookReads => {
                let r = self.reads.get(&id)?;
                merge(ser(r), json!({"progress": self.read_progress(r)}))
            }
            Table::Lists => {
                let l = self.lists.get(&id)?;
                merge(ser(l), json!({"books_count": self.list_books_of(id).len(), "object_type": "List"}))
            }
            Table::ListBooks => ser(self.list_books.get(&id)?),
            Table::ReadingJournals => ser(self.journals.get(&id)?),
        })
    }

    /// A book row, given its editions (callers may hold them indexed).
    pub fn book_row(&self, id: i64, base: &str, editions: &[&Edition]) -> Option<Value> {
        let b = self.books.get(&id)?;
        let first_of = |f: i64| editions.iter().find(|e| e.reading_format_id == f).map(|e| e.id);
        Some(
            merge(
                serde_json::to_value(b).unwrap_or(Value::Null),
                json!({
                    "cached_contributors": self.cached_contributors(id),
                    "cached_image": self.image_json(id, base),
                    "image_id": id,
                    "editions_count": editions.len(),
                    "default_physical_edition_id": first_of(format::PHYSICAL),
                    "default_audio_edition_id": first_of(format::AUDIO),
                    "default_ebook_edition_id": first_of(format::EBOOK),
                    "default_cover_edition_id": editions.first().map(|e| e.id),
                }),
            )
            .pipe(|row| with_defaults(row, book_defaults())),
        )
    }

    /// A user_book row, given its reads (callers may hold them indexed).
    pub fn user_book_row(&self, id: i64, reads: &[&UserBookRead]) -> Option<Value> {
        let ub = self.user_books.get(&id)?;
        let finished: Vec<_> = reads.iter().filter_map(|r| r.finished_at).collect();
        Some(
            merge(
                serde_json::to_value(ub).unwrap_or(Value::Null),
                json!({
                    "read_count": finished.len(),
                    "first_read_date": finished.iter().min(),
                    "last_read_date": finished.iter().max(),
                    "has_review": ub.review_raw.is_some(),
                    "review": ub.review_raw,
                    "object_type": "UserBook",
                }),
            )
            .pipe(|row| with_defaults(row, user_book_defaults())),
        )
    }

    fn image_json(&self, book_id: i64, base: &str) -> Value {
        // A stable per-book colour, so covers differ without storing anything.
        let color = format!("#{:06x}", (book_id as u64).wrapping_mul(2_654_435_761) & 0xff_ffff);
        json!({"id": book_id, "url": cover_url(base, book_id), "width": 400, "height": 600, "ratio": 0.6667,
               "color": color, "imageable_id": book_id, "imageable_type": "Book"})
    }

    /// Hardcover's denormalized contributor list on books and editions.
    fn cached_contributors(&self, book_id: i64) -> Value {
        let Some(book) = self.books.get(&book_id) else { return json!([]) };
        Value::Array(
            book.author_ids
                .iter()
                .filter_map(|a| self.authors.get(a))
                .map(|a| json!({"author": {"id": a.id, "name": a.name, "slug": a.slug, "image": {}}, "contribution": null}))
                .collect(),
        )
    }
}

// Columns the emulator does not model, with the value a fresh Hardcover row has, so a client
// selecting them gets Hardcover's shape instead of a "field not found" error.

/// Add `defaults` for the keys `row` lacks (never overwriting a modelled column).
fn with_defaults(mut row: Value, defaults: Value) -> Value {
    if let (Some(o), Value::Object(d)) = (row.as_object_mut(), defaults) {
        for (k, v) in d {
            o.entry(k).or_insert(v);
        }
    }
    row
}

fn user_defaults() -> Value {
    json!({"object_type": "User", "pro": false, "bio": null, "location": null, "link": null, "flair": null,
           "cached_image": {}, "image_id": null, "followers_count": 0, "followed_users_count": 0, "membership": null,
           "account_privacy_setting_id": 1, "librarian_roles": [], "onboarded": true, "status_id": 1})
}

fn book_defaults() -> Value {
    json!({"users_read_count": 0, "ratings_count": 0, "reviews_count": 0, "lists_count": 0, "compilation": false,
           "canonical_id": null, "headline": null, "book_category_id": 1, "literary_type_id": null, "state": "normalized",
           "is_partial_book": false, "parent_book_id": null, "cached_tags": {}})
}

fn edition_defaults() -> Value {
    json!({"language_id": 1, "country_id": null, "publisher_id": null, "edition_information": null,
           "physical_information": null, "score": 0, "rating": null, "lists_count": 0, "users_read_count": 0,
           "canonical_id": null, "compilation": false, "state": "normalized", "locked": false, "isbns_match": true,
           "object_type": "Edition"})
}

fn user_book_defaults() -> Value {
    json!({"starred": false, "likes_count": 0, "review_has_spoilers": false, "reviewed_at": null, "review_slate": null,
           "media_url": null, "url": null, "recommended_by": null, "recommended_for": null, "referrer_user_id": null,
           "original_book_id": null, "original_edition_id": null, "imported": false, "mod_status": 1, "owned_copies": null,
           "sponsored_review": false, "merged_at": null})
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl Pipe for Value {}

/// Lets `row` serialize the different row types through one closure.
mod erased {
    pub trait Ser {
        fn to_json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}
