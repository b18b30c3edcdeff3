//! `search`: Hardcover's Typesense-backed free-text search, as `SearchOutput` whose `results` is
//! Typesense's own JSON (`found`, `hits[].document`, …).

use serde_json::{Value, json};

use super::Ctx;
use crate::hardcover::graphql::project::Node;
use crate::hardcover::graphql::{GqlError, Sel};
use crate::hardcover::state::{Book, format};

const MAX_PER_PAGE: i64 = 100;

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
}

pub fn resolve(cx: &Ctx<'_>, sel: &Sel) -> Result<Node, GqlError> {
    let query = sel.arg("query").and_then(Value::as_str).ok_or_else(|| {
        GqlError::validation(format!("$.selectionSet.{}.args.query", sel.key), "missing required field 'query'")
    })?;
    let query_type = sel.arg("query_type").and_then(Value::as_str).unwrap_or("Book").to_string();
    let per_page = sel.arg("per_page").and_then(Value::as_i64).unwrap_or(25);
    let page = sel.arg("page").and_then(Value::as_i64).unwrap_or(1);
    let output = |error: Option<String>, ids: Vec<i64>, results: Value| {
        Node::Object(
            "SearchOutput",
            vec![
                ("error", Node::Json(error.map_or(Value::Null, Value::String))),
                ("ids", Node::Json(json!(ids))),
                ("page", Node::Json(json!(page))),
                ("per_page", Node::Json(json!(per_page))),
                ("query", Node::Json(json!(query))),
                ("query_type", Node::Json(json!(query_type))),
                ("results", Node::Json(results)),
            ],
        )
    };
    // A rejected search is still HTTP 200: `results` null and the reason in `error`.
    if query.trim().is_empty() {
        return Ok(output(Some("query must not be empty".into()), vec![], Value::Null));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) || page < 1 {
        return Ok(output(
            Some(format!("per_page must be 1..{MAX_PER_PAGE} and page at least 1")),
            vec![],
            Value::Null,
        ));
    }
    if !(query_type.eq_ignore_ascii_case("book") || query_type.eq_ignore_ascii_case("books")) {
        let empty = json!({"found": 0, "hits": [], "out_of": 0, "page": page, "request_params": {"per_page": per_page, "q": query}});
        return Ok(output(None, vec![], empty));
    }

    let wanted = tokens(query);
    let mut scored: Vec<(i64, &Book)> = cx
        .db
        .books
        .values()
        .filter_map(|b| {
            let title_tokens = tokens(&format!("{} {}", b.title, b.subtitle.clone().unwrap_or_default()));
            let mut other = tokens(&author_names(cx, b).join(" "));
            other.extend(isbns(cx, b.id));
            // Typesense matches the last token as a prefix and every token somewhere.
            let hit = |w: &String, t: &String| t == w || t.starts_with(w.as_str());
            let mut score = 0;
            for w in &wanted {
                if title_tokens.iter().any(|t| hit(w, t)) {
                    score += 2;
                } else if other.iter().any(|t| hit(w, t)) {
                    score += 1;
                } else {
                    return None;
                }
            }
            Some((score, b))
        })
        .collect();
    scored.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then(b.users_count.cmp(&a.users_count)).then(a.id.cmp(&b.id)));
    let found = scored.len();
    let start = ((page - 1) * per_page) as usize;
    let hits: Vec<_> = scored.iter().skip(start).take(per_page as usize).collect();
    let ids: Vec<i64> = hits.iter().map(|(_, b)| b.id).collect();
    let hits_json: Vec<Value> = hits
        .iter()
        .map(|(score, b)| json!({"document": document(cx, b), "highlight": {}, "text_match": score}))
        .collect();
    let results = json!({
        "facet_counts": [],
        "found": found,
        "hits": hits_json,
        "out_of": cx.db.books.len(),
        "page": page,
        "request_params": {"collection_name": "Book_production", "per_page": per_page, "q": query},
        "search_cutoff": false,
        "search_time_ms": 1,
    });
    Ok(output(None, ids, results))
}

fn author_names(cx: &Ctx<'_>, b: &Book) -> Vec<String> {
    b.author_ids.iter().filter_map(|a| cx.db.authors.get(a)).map(|a| a.name.clone()).collect()
}

fn isbns(cx: &Ctx<'_>, book_id: i64) -> Vec<String> {
    cx.editions_of(book_id).iter().flat_map(|e| [e.isbn_13.clone(), e.isbn_10.clone()]).flatten().collect()
}

/// A Typesense book document. Note `id` is a string there, unlike everywhere else.
fn document(cx: &Ctx<'_>, b: &Book) -> Value {
    let editions = cx.editions_of(b.id);
    let cover = crate::hardcover::state::rows::cover_url(cx.base, b.id);
    json!({
        "id": b.id.to_string(),
        "title": b.title,
        "subtitle": b.subtitle,
        "slug": b.slug,
        "author_names": author_names(cx, b),
        "contributions": b.author_ids.iter().filter_map(|a| cx.db.authors.get(a)).map(|a| json!({"author": {"name": a.name, "slug": a.slug}, "contribution": null})).collect::<Vec<_>>(),
        "isbns": isbns(cx, b.id),
        "release_year": b.release_year,
        "release_date": b.release_date,
        "pages": b.pages,
        "audio_seconds": b.audio_seconds,
        "has_audiobook": editions.iter().any(|e| e.reading_format_id == format::AUDIO),
        "has_ebook": editions.iter().any(|e| e.reading_format_id == format::EBOOK),
        "image": {"url": cover, "width": 400, "height": 600, "color": null},
        "users_count": b.users_count,
        "rating": b.rating,
        "series_names": [],
        "genres": [],
    })
}
