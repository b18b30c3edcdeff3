//! Argument parsing: what Hasura's validation would reject becomes an `errors[]` answer.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::hardcover::graphql::{GqlError, Sel};

pub(super) fn missing(sel: &Sel, arg: &str) -> GqlError {
    GqlError::validation(format!("$.selectionSet.{}.args.{arg}", sel.key), format!("missing required field '{arg}'"))
}

pub(super) fn int_arg(sel: &Sel, name: &str) -> Result<i64, GqlError> {
    sel.arg(name).and_then(Value::as_i64).ok_or_else(|| missing(sel, name))
}

pub(super) fn object_arg(
    sel: &Sel,
    name: &str,
    type_name: &str,
    allowed: &[&str],
) -> Result<Map<String, Value>, GqlError> {
    let obj = sel.arg(name).and_then(Value::as_object).cloned().ok_or_else(|| missing(sel, name))?;
    check_keys(&obj, type_name, allowed)?;
    Ok(obj)
}

pub(super) fn check_keys(obj: &Map<String, Value>, type_name: &str, allowed: &[&str]) -> Result<(), GqlError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(GqlError::not_found(k, type_name)),
        None => Ok(()),
    }
}

/// `Some(None)` = explicitly null, `None` = not given.
pub(super) fn opt_int(obj: &Map<String, Value>, key: &str) -> Result<Option<Option<i64>>, GqlError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => v
            .as_i64()
            .map(|n| Some(Some(n)))
            .ok_or_else(|| GqlError::validation("$", format!("expected an Int for '{key}', got {v}"))),
    }
}

pub(super) fn opt_date(obj: &Map<String, Value>, key: &str) -> Result<Option<Option<NaiveDate>>, GqlError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Some(Some(d)))
            .map_err(|_| GqlError::validation("$", format!("invalid date for '{key}': \"{s}\" (expected YYYY-MM-DD)"))),
        Some(v) => Err(GqlError::validation("$", format!("expected a date string for '{key}', got {v}"))),
    }
}
