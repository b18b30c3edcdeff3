//! Shaping results to the selection set: aliases, nested rows and lists, `__typename`,
//! aggregates, and payload objects of the mutations.

use serde_json::{Map, Value};

use super::{GqlError, Sel, filter};
use crate::hardcover::resolvers::{Ctx, Related};
use crate::hardcover::state::Table;

/// What a resolver hands back, before projection.
#[derive(Debug, Clone)]
pub enum Node {
    Null,
    /// A scalar or `jsonb` value, returned as it is.
    Json(Value),
    Row(Table, Value),
    Rows(Table, Vec<Value>),
    /// `<table>_aggregate`: the rows it aggregates over.
    Agg(Table, Vec<Value>),
    /// A non-table object type (mutation payloads, `SearchOutput`): type name and fields.
    Object(&'static str, Vec<(&'static str, Node)>),
}

pub fn project(cx: &Ctx<'_>, node: Node, sel: &Sel) -> Result<Value, GqlError> {
    let needs_children = matches!(node, Node::Row(..) | Node::Rows(..) | Node::Agg(..) | Node::Object(..));
    if needs_children && sel.children.is_empty() {
        return Err(GqlError::validation(
            format!("$.selectionSet.{}", sel.key),
            format!("missing selection set for '{}'", sel.name),
        ));
    }
    Ok(match node {
        Node::Null => Value::Null,
        Node::Json(v) => v,
        Node::Row(table, row) => project_row(cx, table, &row, &sel.children)?,
        Node::Rows(table, rows) => {
            Value::Array(rows.iter().map(|r| project_row(cx, table, r, &sel.children)).collect::<Result<_, _>>()?)
        }
        Node::Agg(table, rows) => project_agg(cx, table, rows, &sel.children)?,
        Node::Object(type_name, fields) => {
            let mut out = Map::new();
            for child in &sel.children {
                let value = if child.name == "__typename" {
                    Value::String(type_name.into())
                } else {
                    let node = fields
                        .iter()
                        .find(|(n, _)| *n == child.name)
                        .map(|(_, n)| n.clone())
                        .ok_or_else(|| GqlError::not_found(&child.name, type_name))?;
                    project(cx, node, child)?
                };
                out.insert(child.key.clone(), value);
            }
            Value::Object(out)
        }
    })
}

fn project_row(cx: &Ctx<'_>, table: Table, row: &Value, sels: &[Sel]) -> Result<Value, GqlError> {
    let mut out = Map::new();
    for sel in sels {
        let value = if sel.name == "__typename" {
            Value::String(table.type_name().into())
        } else if let Some(node) = relation_node(cx, table, row, sel)? {
            project(cx, node, sel)?
        } else {
            let v = row.get(&sel.name).ok_or_else(|| GqlError::not_found(&sel.name, table.type_name()))?;
            if !sel.children.is_empty() && !v.is_object() && !v.is_array() {
                return Err(GqlError::validation(
                    format!("$.selectionSet.{}", sel.key),
                    format!("'{}' is a scalar and has no selection set", sel.name),
                ));
            }
            // jsonb columns take an optional `path` ("url" or "$.url").
            match sel.arg("path").and_then(Value::as_str) {
                Some(p) => p
                    .trim_start_matches("$.")
                    .split('.')
                    .filter(|s| !s.is_empty())
                    .fold(v.clone(), |acc, k| acc.get(k).cloned().unwrap_or(Value::Null)),
                None => v.clone(),
            }
        };
        out.insert(sel.key.clone(), value);
    }
    Ok(Value::Object(out))
}

/// Relationship fields of a row (`book`, `user_book_reads(...)`, `list_books_aggregate(...)`).
fn relation_node(cx: &Ctx<'_>, table: Table, row: &Value, sel: &Sel) -> Result<Option<Node>, GqlError> {
    let (name, aggregate) = match sel.name.strip_suffix("_aggregate") {
        Some(base) => (base, true),
        None => (sel.name.as_str(), false),
    };
    Ok(match cx.relation(table, row, name) {
        None => None,
        Some(Related::One(_, None)) if !aggregate => Some(Node::Null),
        Some(Related::One(t, Some(r))) if !aggregate => Some(Node::Row(t, r)),
        Some(Related::Many(t, rows)) => {
            let rows = filter::select(cx, t, rows, sel)?;
            Some(if aggregate { Node::Agg(t, rows) } else { Node::Rows(t, rows) })
        }
        Some(Related::One(..)) => None,
    })
}

fn project_agg(cx: &Ctx<'_>, table: Table, rows: Vec<Value>, sels: &[Sel]) -> Result<Value, GqlError> {
    let type_name = format!("{}_aggregate", table.type_name());
    let mut out = Map::new();
    for sel in sels {
        let value = match sel.name.as_str() {
            "__typename" => Value::String(type_name.clone()),
            "nodes" => project(cx, Node::Rows(table, rows.clone()), sel)?,
            "aggregate" => {
                let mut agg = Map::new();
                for f in &sel.children {
                    let v = match f.name.as_str() {
                        "count" => Value::from(rows.len()),
                        "__typename" => Value::String(format!("{type_name}_fields")),
                        other => return Err(GqlError::not_found(other, &format!("{type_name}_fields"))),
                    };
                    agg.insert(f.key.clone(), v);
                }
                Value::Object(agg)
            }
            other => return Err(GqlError::not_found(other, &type_name)),
        };
        out.insert(sel.key.clone(), value);
    }
    Ok(Value::Object(out))
}
