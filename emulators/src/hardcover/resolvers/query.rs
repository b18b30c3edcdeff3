//! `query_root` fields: tables, their `_aggregate` and `_by_pk` forms, `me`, and `search`.

use serde_json::Value;

use super::{Ctx, search};
use crate::hardcover::graphql::project::Node;
use crate::hardcover::graphql::{GqlError, Sel, filter};
use crate::hardcover::state::Table;

fn table_named(name: &str) -> Option<Table> {
    Some(match name {
        "users" => Table::Users,
        "authors" => Table::Authors,
        "books" => Table::Books,
        "editions" => Table::Editions,
        "reading_formats" => Table::ReadingFormats,
        "images" => Table::Images,
        "contributions" => Table::Contributions,
        "user_books" => Table::UserBooks,
        "user_book_reads" => Table::UserBookReads,
        "user_book_statuses" => Table::UserBookStatuses,
        "lists" => Table::Lists,
        "list_books" => Table::ListBooks,
        "reading_journals" => Table::ReadingJournals,
        _ => return None,
    })
}

pub fn resolve(cx: &Ctx<'_>, sel: &Sel) -> Result<Node, GqlError> {
    if sel.name == "__typename" {
        return Ok(Node::Json(Value::String("query_root".into())));
    }
    if sel.name == "search" {
        return search::resolve(cx, sel);
    }
    if sel.name == "me" {
        // `me` is a list of users (holding just the caller), filterable like any table.
        let rows = cx.row(Table::Users, cx.user_id).into_iter().collect();
        return Ok(Node::Rows(Table::Users, filter::select(cx, Table::Users, rows, sel)?));
    }
    if let Some(base) = sel.name.strip_suffix("_by_pk") {
        let table = table_named(base).ok_or_else(|| GqlError::not_found(&sel.name, "query_root"))?;
        let id = sel.arg("id").and_then(Value::as_i64).ok_or_else(|| {
            GqlError::validation(format!("$.selectionSet.{}.args.id", sel.key), "missing required field 'id'")
        })?;
        return Ok(cx.row(table, id).map_or(Node::Null, |r| Node::Row(table, r)));
    }
    if let Some(base) = sel.name.strip_suffix("_aggregate") {
        let table = table_named(base).ok_or_else(|| GqlError::not_found(&sel.name, "query_root"))?;
        return Ok(Node::Agg(table, filter::select(cx, table, cx.all(table), sel)?));
    }
    let table = table_named(&sel.name).ok_or_else(|| GqlError::not_found(&sel.name, "query_root"))?;
    let candidates = match (table, sel.arg("where").and_then(|w| edition_keys(cx, w))) {
        (Table::Editions, Some(ids)) => ids.into_iter().filter_map(|id| cx.row(Table::Editions, id)).collect(),
        _ => cx.all(table),
    };
    Ok(Node::Rows(table, filter::select(cx, table, candidates, sel)?))
}

/// Edition ids that can possibly match a `where` made only of `_eq`/`_in` on identifier columns
/// (alone or under `_or`): the bulk ISBN/ASIN look-up a sync runs, answered without building
/// every edition row. `None` when the condition has any other shape; the full filter still runs
/// on the candidates, so this only narrows, never decides.
fn edition_keys(cx: &Ctx<'_>, cond: &Value) -> Option<Vec<i64>> {
    let parts: Vec<&Value> = match cond.get("_or") {
        Some(Value::Array(items)) if cond.as_object()?.len() == 1 => items.iter().collect(),
        _ => vec![cond],
    };
    let mut wanted: Vec<(&str, Vec<&Value>)> = Vec::new();
    for part in parts {
        let obj = part.as_object()?;
        if obj.len() != 1 {
            return None;
        }
        let (col, ops) = obj.iter().next()?;
        if !["isbn_13", "isbn_10", "asin", "id"].contains(&col.as_str()) {
            return None;
        }
        let ops = ops.as_object()?;
        if ops.len() != 1 {
            return None;
        }
        let values: Vec<&Value> = match (ops.get("_eq"), ops.get("_in")) {
            (Some(v), None) if !v.is_null() => vec![v],
            (None, Some(Value::Array(vs))) => vs.iter().collect(),
            _ => return None,
        };
        wanted.push((col.as_str(), values));
    }
    let hit = |col: &str, field: Option<&str>, id: i64| {
        wanted.iter().any(|(c, vs)| {
            *c == col
                && vs.iter().any(|v| {
                    if col == "id" { v.as_i64() == Some(id) } else { v.as_str().is_some() && v.as_str() == field }
                })
        })
    };
    Some(
        cx.db
            .editions
            .values()
            .filter(|e| {
                hit("isbn_13", e.isbn_13.as_deref(), e.id)
                    || hit("isbn_10", e.isbn_10.as_deref(), e.id)
                    || hit("asin", e.asin.as_deref(), e.id)
                    || hit("id", None, e.id)
            })
            .map(|e| e.id)
            .collect(),
    )
}
