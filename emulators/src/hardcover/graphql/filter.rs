//! Hasura's `where` / `order_by` / `limit` / `offset` over JSON rows.

use std::cmp::Ordering;

use serde_json::Value;

use super::{GqlError, Sel};
use crate::hardcover::resolvers::{Ctx, Related};
use crate::hardcover::state::Table;

/// Operators Hardcover turns off (API-FACTS.md, limits): a query using one is refused.
pub const DISABLED_OPERATORS: &[&str] =
    &["_like", "_nlike", "_ilike", "_nilike", "_regex", "_nregex", "_iregex", "_niregex", "_similar", "_nsimilar"];

/// The first disabled operator used anywhere in `v` (an argument value), if any.
pub fn find_disabled(v: &Value) -> Option<&'static str> {
    match v {
        Value::Object(o) => o
            .iter()
            .find_map(|(k, v)| DISABLED_OPERATORS.iter().find(|d| **d == k).copied().or_else(|| find_disabled(v))),
        Value::Array(a) => a.iter().find_map(find_disabled),
        _ => None,
    }
}

/// Apply a field's `where`, `order_by`, `offset` and `limit` arguments to rows of `table`.
pub fn select(cx: &Ctx<'_>, table: Table, rows: Vec<Value>, sel: &Sel) -> Result<Vec<Value>, GqlError> {
    let mut kept = Vec::with_capacity(rows.len());
    match sel.arg("where") {
        Some(cond) => {
            for row in rows {
                if matches(cx, table, &row, cond)? {
                    kept.push(row);
                }
            }
        }
        None => kept = rows,
    }
    if let Some(order) = sel.arg("order_by") {
        sort(cx, table, &mut kept, order)?;
    }
    let int_arg = |name: &str| -> Result<Option<usize>, GqlError> {
        match sel.arg(name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(|n| Some(n as usize)).ok_or_else(|| {
                GqlError::validation(
                    format!("$.selectionSet.{}.args.{name}", sel.key),
                    format!("expected a non-negative Int for '{name}'"),
                )
            }),
        }
    };
    let offset = int_arg("offset")?.unwrap_or(0);
    let limit = int_arg("limit")?;
    Ok(kept.into_iter().skip(offset).take(limit.unwrap_or(usize::MAX)).collect())
}

/// Does `row` satisfy the boolean expression `cond`?
pub fn matches(cx: &Ctx<'_>, table: Table, row: &Value, cond: &Value) -> Result<bool, GqlError> {
    let Some(obj) = cond.as_object() else {
        return Err(bool_exp_error(table, "expected an object for a boolean expression"));
    };
    for (key, sub) in obj {
        let ok = match key.as_str() {
            "_and" => {
                all_of(sub).iter().try_fold(true, |acc, c| Ok::<_, GqlError>(acc && matches(cx, table, row, c)?))?
            }
            "_or" => {
                let parts = all_of(sub);
                // An empty _or is true in Hasura (it adds no condition).
                parts.is_empty()
                    || parts.iter().try_fold(false, |acc, c| Ok::<_, GqlError>(acc || matches(cx, table, row, c)?))?
            }
            "_not" => !matches(cx, table, row, sub)?,
            name => match cx.relation(table, row, name) {
                Some(Related::One(t, Some(r))) => matches(cx, t, &r, sub)?,
                Some(Related::One(_, None)) => false,
                Some(Related::Many(t, rows)) => {
                    let mut any = false;
                    for r in &rows {
                        if matches(cx, t, r, sub)? {
                            any = true;
                            break;
                        }
                    }
                    any
                }
                None => match row.get(name) {
                    Some(value) => compare(table, name, value, sub)?,
                    None => return Err(GqlError::not_found(name, &format!("{}_bool_exp", table.type_name()))),
                },
            },
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn all_of(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    }
}

fn bool_exp_error(table: Table, msg: &str) -> GqlError {
    GqlError::validation(format!("$.selectionSet.{}.args.where", table.type_name()), msg)
}

fn compare(table: Table, column: &str, value: &Value, ops: &Value) -> Result<bool, GqlError> {
    let Some(ops) = ops.as_object() else {
        return Err(bool_exp_error(table, &format!("expected a comparison object for column '{column}'")));
    };
    for (op, arg) in ops {
        // Hasura v2 drops comparisons whose operand is null instead of comparing with NULL.
        if arg.is_null() {
            continue;
        }
        let ok = match op.as_str() {
            "_eq" => !value.is_null() && cmp(value, arg) == Some(Ordering::Equal),
            "_neq" => !value.is_null() && cmp(value, arg) != Some(Ordering::Equal),
            "_gt" => cmp(value, arg) == Some(Ordering::Greater),
            "_gte" => matches!(cmp(value, arg), Some(Ordering::Greater | Ordering::Equal)),
            "_lt" => cmp(value, arg) == Some(Ordering::Less),
            "_lte" => matches!(cmp(value, arg), Some(Ordering::Less | Ordering::Equal)),
            "_in" => !value.is_null() && all_of(arg).iter().any(|a| cmp(value, a) == Some(Ordering::Equal)),
            "_nin" => !value.is_null() && !all_of(arg).iter().any(|a| cmp(value, a) == Some(Ordering::Equal)),
            "_is_null" => value.is_null() == arg.as_bool().unwrap_or(false),
            other if DISABLED_OPERATORS.contains(&other) => {
                return Err(GqlError::validation("$", format!("the operator '{other}' is disabled on this API")));
            }
            other => {
                return Err(GqlError::not_found(other, &format!("{}_comparison_exp", table.type_name())));
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// SQL-ish comparison of two JSON scalars; `None` when either is NULL or the kinds differ.
fn cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        // Timestamps compare as instants (`…Z` and `…+00:00` spell the same moment).
        (Value::String(x), Value::String(y)) => {
            match (chrono::DateTime::parse_from_rfc3339(x), chrono::DateTime::parse_from_rfc3339(y)) {
                (Ok(a), Ok(b)) => Some(a.cmp(&b)),
                _ => Some(x.cmp(y)),
            }
        }
        // Hasura accepts numbers as strings for numeric columns and vice versa.
        (Value::Number(x), Value::String(y)) => x.as_f64()?.partial_cmp(&y.parse::<f64>().ok()?),
        (Value::String(x), Value::Number(y)) => x.parse::<f64>().ok()?.partial_cmp(&y.as_f64()?),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

struct SortKey {
    path: Vec<String>,
    desc: bool,
    nulls_first: bool,
}

fn sort_keys(order: &Value, prefix: &mut Vec<String>, out: &mut Vec<SortKey>) -> Result<(), GqlError> {
    match order {
        Value::Array(items) => {
            for i in items {
                sort_keys(i, prefix, out)?;
            }
        }
        Value::Object(o) => {
            for (k, v) in o {
                prefix.push(k.clone());
                match v {
                    Value::String(dir) => {
                        let (desc, nulls_first) = match dir.as_str() {
                            "asc" | "asc_nulls_last" => (false, false),
                            "asc_nulls_first" => (false, true),
                            "desc" | "desc_nulls_first" => (true, true),
                            "desc_nulls_last" => (true, false),
                            other => {
                                return Err(GqlError::validation("$", format!("unexpected order_by value '{other}'")));
                            }
                        };
                        out.push(SortKey { path: prefix.clone(), desc, nulls_first });
                    }
                    Value::Object(_) => sort_keys(v, prefix, out)?,
                    _ => return Err(GqlError::validation("$", "order_by values must be asc/desc or nested objects")),
                }
                prefix.pop();
            }
        }
        Value::Null => {}
        _ => return Err(GqlError::validation("$", "order_by must be an object or a list of objects")),
    }
    Ok(())
}

fn sort_value(cx: &Ctx<'_>, table: Table, row: &Value, path: &[String]) -> Result<Value, GqlError> {
    let (first, rest) = path.split_first().expect("sort paths are never empty");
    if rest.is_empty() {
        return row
            .get(first)
            .cloned()
            .ok_or_else(|| GqlError::not_found(first, &format!("{}_order_by", table.type_name())));
    }
    match cx.relation(table, row, first) {
        Some(Related::One(t, Some(r))) => sort_value(cx, t, &r, rest),
        Some(Related::One(_, None)) => Ok(Value::Null),
        _ => Err(GqlError::not_found(first, &format!("{}_order_by", table.type_name()))),
    }
}

pub fn sort(cx: &Ctx<'_>, table: Table, rows: &mut Vec<Value>, order: &Value) -> Result<(), GqlError> {
    let mut keys = Vec::new();
    sort_keys(order, &mut Vec::new(), &mut keys)?;
    let mut keyed = Vec::with_capacity(rows.len());
    for row in rows.drain(..) {
        let vals = keys.iter().map(|k| sort_value(cx, table, &row, &k.path)).collect::<Result<Vec<_>, _>>()?;
        keyed.push((vals, row));
    }
    keyed.sort_by(|(a, _), (b, _)| {
        for (k, (x, y)) in keys.iter().zip(a.iter().zip(b.iter())) {
            let ord = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if k.nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if k.nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, false) => {
                    let o = cmp(x, y).unwrap_or(Ordering::Equal);
                    if k.desc { o.reverse() } else { o }
                }
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    rows.extend(keyed.into_iter().map(|(_, r)| r));
    Ok(())
}
