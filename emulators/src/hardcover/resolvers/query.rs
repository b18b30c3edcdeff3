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
    Ok(Node::Rows(table, filter::select(cx, table, cx.all(table), sel)?))
}
