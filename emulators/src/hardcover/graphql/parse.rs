//! From a GraphQL document to the selections of one operation.

use std::collections::HashMap;

use graphql_parser::query::{
    Definition, Document, FragmentDefinition, OperationDefinition, Selection, SelectionSet, Value as GValue,
};
use serde_json::{Map, Value};

use super::{GqlError, OpKind, Operation, Sel};

/// Why a request could not become an operation.
#[derive(Debug, Clone, PartialEq)]
pub enum PrepareError {
    /// Not GraphQL at all: Hardcover answers HTTP 400 `invalid_query`.
    Syntax(String),
    /// Valid syntax, but no such operation / variable: Hasura answers 200 with `errors`.
    Invalid(GqlError),
}

type Doc<'a> = Document<'a, String>;
type Fragments<'d, 'a> = HashMap<&'d str, &'d FragmentDefinition<'a, String>>;

pub fn prepare(
    query: &str,
    operation_name: Option<&str>,
    variables: &Map<String, Value>,
) -> Result<Operation, PrepareError> {
    let doc: Doc<'_> = graphql_parser::parse_query::<String>(query).map_err(|e| PrepareError::Syntax(e.to_string()))?;
    let mut fragments: Fragments<'_, '_> = HashMap::new();
    let mut ops = Vec::new();
    for def in &doc.definitions {
        match def {
            Definition::Fragment(f) => {
                fragments.insert(f.name.as_str(), f);
            }
            Definition::Operation(op) => ops.push(op),
        }
    }
    let name_of = |op: &OperationDefinition<'_, String>| match op {
        OperationDefinition::Query(q) => q.name.clone(),
        OperationDefinition::Mutation(m) => m.name.clone(),
        OperationDefinition::Subscription(s) => s.name.clone(),
        OperationDefinition::SelectionSet(_) => None,
    };
    let op = match operation_name.filter(|n| !n.is_empty()) {
        Some(name) => ops.iter().find(|op| name_of(op).as_deref() == Some(name)).copied().ok_or_else(|| {
            PrepareError::Invalid(GqlError::validation(
                "$",
                format!("no such operation found in the document: '{name}'"),
            ))
        })?,
        None if ops.len() == 1 => ops[0],
        None => {
            return Err(PrepareError::Invalid(GqlError::validation(
                "$",
                "exactly one operation has to be present in the document when operationName is not specified",
            )));
        }
    };
    let (kind, var_defs, set) = match op {
        OperationDefinition::Query(q) => (OpKind::Query, &q.variable_definitions[..], &q.selection_set),
        OperationDefinition::Mutation(m) => (OpKind::Mutation, &m.variable_definitions[..], &m.selection_set),
        OperationDefinition::Subscription(s) => (OpKind::Subscription, &s.variable_definitions[..], &s.selection_set),
        OperationDefinition::SelectionSet(s) => (OpKind::Query, &[][..], s),
    };
    // Variables: declared ones only, defaults applied; using an undeclared one is an error.
    let mut vars = Map::new();
    for d in var_defs {
        let value = match variables.get(&d.name) {
            Some(v) => v.clone(),
            None => match &d.default_value {
                Some(v) => to_json(v, &Map::new())?,
                None if matches!(d.var_type, graphql_parser::query::Type::NonNullType(_)) => {
                    return Err(PrepareError::Invalid(GqlError::validation(
                        "$",
                        format!("expecting a value for non-nullable variable: \"{}\"", d.name),
                    )));
                }
                None => Value::Null,
            },
        };
        vars.insert(d.name.clone(), value);
    }
    let fields = selections(set, &fragments, &vars, 0)?;
    Ok(Operation { kind, fields })
}

fn selections(
    set: &SelectionSet<'_, String>,
    frags: &Fragments<'_, '_>,
    vars: &Map<String, Value>,
    depth: usize,
) -> Result<Vec<Sel>, PrepareError> {
    if depth > 32 {
        return Err(PrepareError::Invalid(GqlError::validation("$", "fragment cycle or selection too deep")));
    }
    let mut out = Vec::new();
    for item in &set.items {
        match item {
            Selection::Field(f) => {
                if skipped(&f.directives, vars)? {
                    continue;
                }
                let mut args = Map::new();
                for (k, v) in &f.arguments {
                    args.insert(k.clone(), to_json(v, vars)?);
                }
                out.push(Sel {
                    key: f.alias.clone().unwrap_or_else(|| f.name.clone()),
                    name: f.name.clone(),
                    args,
                    children: selections(&f.selection_set, frags, vars, depth + 1)?,
                });
            }
            Selection::FragmentSpread(s) => {
                if skipped(&s.directives, vars)? {
                    continue;
                }
                let frag = frags.get(s.fragment_name.as_str()).ok_or_else(|| {
                    PrepareError::Invalid(GqlError::validation(
                        "$",
                        format!("fragment '{}' is not defined", s.fragment_name),
                    ))
                })?;
                out.extend(selections(&frag.selection_set, frags, vars, depth + 1)?);
            }
            Selection::InlineFragment(i) => {
                if skipped(&i.directives, vars)? {
                    continue;
                }
                out.extend(selections(&i.selection_set, frags, vars, depth + 1)?);
            }
        }
    }
    Ok(out)
}

/// `@skip(if:)` / `@include(if:)`.
fn skipped(
    directives: &[graphql_parser::query::Directive<'_, String>],
    vars: &Map<String, Value>,
) -> Result<bool, PrepareError> {
    for d in directives {
        let cond = d.arguments.iter().find(|(k, _)| k == "if").map(|(_, v)| to_json(v, vars)).transpose()?;
        let cond = cond.and_then(|v| v.as_bool()).unwrap_or(false);
        match d.name.as_str() {
            "skip" if cond => return Ok(true),
            "include" if !cond => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

fn to_json(v: &GValue<'_, String>, vars: &Map<String, Value>) -> Result<Value, PrepareError> {
    Ok(match v {
        GValue::Variable(name) => vars.get(name).cloned().ok_or_else(|| {
            PrepareError::Invalid(GqlError::validation(
                "$",
                format!("unbound variable \"{name}\" (declare it in the operation)"),
            ))
        })?,
        GValue::Int(n) => Value::from(n.as_i64().unwrap_or_default()),
        GValue::Float(f) => serde_json::Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
        GValue::String(s) => Value::String(s.clone()),
        GValue::Boolean(b) => Value::Bool(*b),
        GValue::Null => Value::Null,
        GValue::Enum(e) => Value::String(e.clone()),
        GValue::List(items) => Value::Array(items.iter().map(|i| to_json(i, vars)).collect::<Result<_, _>>()?),
        GValue::Object(map) => {
            let mut o = Map::new();
            for (k, v) in map {
                o.insert(k.clone(), to_json(v, vars)?);
            }
            Value::Object(o)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aliases_fragments_and_variables_become_plain_selections() {
        let q = r#"query Q($ids: [Int!]!, $skip: Boolean = true) {
            a: books(where: {id: {_in: $ids}}, order_by: {title: desc}) { ...B extra: slug @skip(if: $skip) }
        } fragment B on books { id title }"#;
        let vars = json!({"ids": [1, 2]}).as_object().cloned().unwrap();
        let op = prepare(q, None, &vars).expect("a valid query must prepare");
        assert_eq!(op.fields.len(), 1, "one top-level field");
        let f = &op.fields[0];
        assert_eq!((f.key.as_str(), f.name.as_str()), ("a", "books"), "the alias is the response key");
        assert_eq!(f.args["where"], json!({"id": {"_in": [1, 2]}}), "variables are substituted into arguments");
        assert_eq!(f.args["order_by"], json!({"title": "desc"}), "enum values become strings");
        let keys: Vec<_> = f.children.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["id", "title"], "fragment fields are inlined and @skip(if: true) drops a field");
    }

    #[test]
    fn syntax_errors_and_missing_operations_are_told_apart() {
        assert!(
            matches!(prepare("query {", None, &Map::new()), Err(PrepareError::Syntax(_))),
            "broken syntax is a syntax error"
        );
        assert!(
            matches!(prepare("query A { me { id } }", Some("B"), &Map::new()), Err(PrepareError::Invalid(_))),
            "an unknown operationName is a validation error"
        );
    }
}
