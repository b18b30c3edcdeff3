//! Just enough GraphQL for a Hasura look-alike: parse an operation into plain selections with
//! variables already substituted, filter/sort rows the Hasura way, and project results.

pub mod filter;
pub mod parse;
pub mod project;

use serde_json::{Map, Value, json};

/// One selected field: response key (alias or name), field name, arguments as JSON (variables
/// substituted, enums as strings) and its sub-selections (fragments already inlined).
#[derive(Debug, Clone, PartialEq)]
pub struct Sel {
    pub key: String,
    pub name: String,
    pub args: Map<String, Value>,
    pub children: Vec<Sel>,
}

impl Sel {
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.get(name).filter(|v| !v.is_null())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Query,
    Mutation,
    Subscription,
}

impl OpKind {
    pub fn root_type(self) -> &'static str {
        match self {
            OpKind::Query => "query_root",
            OpKind::Mutation => "mutation_root",
            OpKind::Subscription => "subscription_root",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub kind: OpKind,
    pub fields: Vec<Sel>,
}

/// A Hasura-style GraphQL error: HTTP 200 with `{"errors":[{message, extensions:{path, code}}]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlError {
    pub message: String,
    pub code: &'static str,
    pub path: String,
}

impl GqlError {
    pub fn validation(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { message: message.into(), code: "validation-failed", path: path.into() }
    }

    pub fn not_found(field: &str, type_name: &str) -> Self {
        Self::validation(format!("$.selectionSet.{field}"), format!("field '{field}' not found in type: '{type_name}'"))
    }

    pub fn unexpected(message: impl Into<String>) -> Self {
        Self { message: message.into(), code: "unexpected", path: "$".into() }
    }

    pub fn to_json(&self) -> Value {
        json!({"errors": [{"message": self.message, "extensions": {"path": self.path, "code": self.code}}]})
    }
}
