//! Generated response types → the plain structs in `model`.
//!
//! Each operation gets its own generated structs even where the selections are the same, so the
//! conversions are macros over field names: one definition, checked by the compiler for every
//! operation it is used with.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::model::{
    Book, Edition, List, ListBook, Me, Read, ReadingFormat, ReadingStatus, SearchHit, SearchResults, UserBook,
};
use super::ops;

macro_rules! book {
    ($b:expr) => {{
        let b = $b;
        Book {
            id: b.id,
            title: b.title,
            subtitle: b.subtitle,
            slug: b.slug,
            authors: authors_from_contributors(&b.cached_contributors),
            image_url: b.image.and_then(|i| i.url),
            pages: b.pages,
            release_year: b.release_year,
        }
    }};
    ($b:expr, no_image) => {{
        let b = $b;
        Book {
            id: b.id,
            title: b.title,
            subtitle: b.subtitle,
            slug: b.slug,
            authors: authors_from_contributors(&b.cached_contributors),
            image_url: None,
            pages: b.pages,
            release_year: b.release_year,
        }
    }};
}

macro_rules! edition {
    ($e:ident, $book:expr) => {{
        // Field by field (no rebinding) so `$book` may move `$e.book`.
        Edition {
            id: $e.id,
            book_id: $e.book_id,
            title: $e.title,
            pages: $e.pages,
            audio_seconds: $e.audio_seconds,
            reading_format_id: $e.reading_format_id,
            reading_format: ReadingFormat::from_id($e.reading_format_id),
            edition_format: $e.edition_format,
            isbn_10: $e.isbn_10,
            isbn_13: $e.isbn_13,
            asin: $e.asin,
            release_year: $e.release_year,
            image_url: $e.image.and_then(|i| i.url),
            book: $book,
        }
    }};
}

pub(crate) fn me(data: ops::me::ResponseData) -> Option<Me> {
    data.me.into_iter().next().map(|u| Me { id: u.id, username: u.username, image_url: u.image.and_then(|i| i.url) })
}

pub(crate) fn user_books(data: ops::user_books::ResponseData) -> Vec<UserBook> {
    data.user_books
        .into_iter()
        .map(|ub| UserBook {
            id: ub.id,
            book_id: ub.book_id,
            edition_id: ub.edition_id,
            status_id: ub.status_id,
            status: ReadingStatus::from_id(ub.status_id),
            rating: ub.rating.map(|r| r.0),
            date_added: ub.date_added,
            updated_at: ub.updated_at.as_deref().and_then(parse_timestamp),
            book: book!(ub.book),
            edition: ub.edition.map(|e| edition!(e, None)),
            reads: ub.user_book_reads.into_iter().map(read).collect(),
        })
        .collect()
}

/// A read as `user_books.graphql` selects it; `insert_user_book`'s answer selects the same.
pub(crate) type ReadRow = ops::user_books::UserBooksUserBooksUserBookReads;

pub(crate) fn read(r: ReadRow) -> Read {
    Read {
        id: r.id,
        user_book_id: r.user_book_id,
        edition_id: r.edition_id,
        progress: r.progress.map(|p| p.0),
        progress_pages: r.progress_pages,
        progress_seconds: r.progress_seconds,
        started_at: r.started_at,
        finished_at: r.finished_at,
        paused_at: r.paused_at,
    }
}

pub(crate) fn lists(data: ops::lists::ResponseData) -> Vec<List> {
    data.lists
        .into_iter()
        .map(|l| List {
            id: l.id,
            user_id: l.user_id,
            name: l.name,
            slug: l.slug,
            description: l.description,
            books_count: l.books_count,
            privacy_setting_id: l.privacy_setting_id,
        })
        .collect()
}

pub(crate) fn list_books(data: ops::list_books::ResponseData) -> Vec<ListBook> {
    data.list_books
        .into_iter()
        .map(|lb| ListBook {
            id: lb.id,
            list_id: lb.list_id,
            book_id: lb.book_id,
            edition_id: lb.edition_id,
            position: lb.position,
            date_added: lb.date_added.as_deref().and_then(parse_timestamp),
            book: book!(lb.book),
        })
        .collect()
}

/// The `EditionFields` fragment, shared by `Editions` and the batched identifier lookup.
pub(crate) fn edition_fields(e: ops::editions::EditionFields) -> Edition {
    edition!(e, Some(book!(e.book, no_image)))
}

/// Hardcover's `cached_contributors`: `[{author: {name, …}, contribution: null | "Narrator" …}]`.
/// Primary authors have no contribution (or "Author"); fall back to everyone named.
pub(crate) fn authors_from_contributors(v: &Value) -> Vec<String> {
    // `json` columns have been seen delivered as a JSON-encoded string.
    if let Value::String(s) = v {
        return serde_json::from_str(s).map(|v: Value| authors_from_contributors(&v)).unwrap_or_default();
    }
    let Some(items) = v.as_array() else { return Vec::new() };
    let named = |primary_only: bool| -> Vec<String> {
        items
            .iter()
            .filter(|c| {
                !primary_only
                    || match c.get("contribution") {
                        None | Some(Value::Null) => true,
                        Some(Value::String(s)) => s.is_empty() || s.eq_ignore_ascii_case("author"),
                        _ => false,
                    }
            })
            .filter_map(|c| c.get("author").and_then(|a| a.get("name")).and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    };
    let primary = named(true);
    if primary.is_empty() { named(false) } else { primary }
}

/// Hasura's `timestamptz` (`2024-05-01T10:00:00.123456+00:00`, Postgres' `+00` too); a bare
/// timestamp is taken as UTC.
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%#z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc()))
}

/// Typesense's answer inside `search.results`: `{found, page, hits: [{document: {…}}]}`.
/// Fields are read leniently (ids arrive as strings) and a hit without a usable id is dropped.
pub(crate) fn search_results(results: &Value, page: i64) -> SearchResults {
    let hits = results.get("hits").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let str_of = |d: &Value, k: &str| d.get(k).and_then(Value::as_str).map(str::to_owned);
    let int_of = |d: &Value, k: &str| match d.get(k) {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let strings_of = |d: &Value, k: &str| -> Vec<String> {
        d.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    SearchResults {
        found: int_of(results, "found").unwrap_or(hits.len() as i64),
        page: int_of(results, "page").unwrap_or(page),
        hits: hits
            .iter()
            .filter_map(|h| h.get("document"))
            .filter_map(|d| {
                Some(SearchHit {
                    book_id: int_of(d, "id")?,
                    title: str_of(d, "title"),
                    subtitle: str_of(d, "subtitle"),
                    slug: str_of(d, "slug"),
                    author_names: strings_of(d, "author_names"),
                    isbns: strings_of(d, "isbns"),
                    release_year: int_of(d, "release_year"),
                    users_count: int_of(d, "users_count"),
                    image_url: d.get("image").and_then(|i| i.get("url")).and_then(Value::as_str).map(str::to_owned),
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn primary_authors_come_first() {
        let v = json!([
            {"author": {"id": 1, "name": "Ann Leckie"}, "contribution": null},
            {"author": {"id": 2, "name": "Adjoa Andoh"}, "contribution": "Narrator"}
        ]);
        assert_eq!(authors_from_contributors(&v), vec!["Ann Leckie"], "narrators are not authors");
        let v = json!([{"author": {"name": "Only Narrator"}, "contribution": "Narrator"}]);
        assert_eq!(authors_from_contributors(&v), vec!["Only Narrator"]);
        assert!(authors_from_contributors(&json!({})).is_empty(), "odd shapes give no authors, not a panic");
    }

    #[test]
    fn timestamps_in_hasura_forms() {
        for s in [
            "2024-05-01T10:00:00.123456+00:00",
            "2024-05-01T10:00:00+00",
            "2024-05-01T12:00:00+02:00",
            "2024-05-01T10:00:00",
        ] {
            let t = parse_timestamp(s).unwrap_or_else(|| panic!("{s} must parse"));
            assert_eq!(t.format("%Y-%m-%dT%H:%M:%S").to_string(), "2024-05-01T10:00:00", "{s}");
        }
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn typesense_hits_become_typed() {
        let r = json!({"found": 42, "page": 2, "hits": [
            {"document": {"id": "328491", "title": "Ancillary Justice", "author_names": ["Ann Leckie"],
                          "isbns": ["9780316246620"], "release_year": 2013, "users_count": 9000,
                          "image": {"url": "https://x/y.jpg"}}},
            {"document": {"title": "no id"}}
        ]});
        let s = search_results(&r, 2);
        assert_eq!((s.found, s.page, s.hits.len()), (42, 2, 1), "a hit without an id is dropped");
        assert_eq!(s.hits[0].book_id, 328_491, "string ids are parsed");
        assert_eq!(s.hits[0].author_names, vec!["Ann Leckie"]);
        assert_eq!(s.hits[0].image_url.as_deref(), Some("https://x/y.jpg"));
    }
}
