//! A small GraphQL validator for the checks these tests need: a schema index built with
//! graphql-parser, and validation of operations (fields, arguments, literal and variable types,
//! fragments, unused variables) and of variable values (input field names and shapes).
//!
//! Not a full GraphQL implementation: no interfaces, unions or directives, none of which our
//! operations use.

use std::collections::{BTreeMap, HashMap, HashSet};

use graphql_parser::query::{self as q, Definition, OperationDefinition, Selection, SelectionSet};
use graphql_parser::schema::{self as s, TypeDefinition};
use serde_json::Value as Json;

type QValue = q::Value<'static, String>;

pub fn type_string(t: &s::Type<'_, String>) -> String {
    match t {
        s::Type::NamedType(n) => n.clone(),
        s::Type::ListType(inner) => format!("[{}]", type_string(inner)),
        s::Type::NonNullType(inner) => format!("{}!", type_string(inner)),
    }
}

/// `[String!]!` → `String`.
pub fn base(t: &str) -> &str {
    t.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub ty: String,
    /// name → (type, has default)
    pub args: BTreeMap<String, (String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Object,
    Input,
    Enum,
    Scalar,
    Other,
}

#[derive(Debug, Default)]
pub struct Schema {
    pub objects: HashMap<String, BTreeMap<String, FieldDef>>,
    /// input type → field → (type, has default)
    pub inputs: HashMap<String, BTreeMap<String, (String, bool)>>,
    pub enums: HashMap<String, HashSet<String>>,
    pub scalars: HashSet<String>,
    pub others: HashSet<String>,
    pub query_root: String,
    pub mutation_root: String,
}

impl Schema {
    pub fn parse(sdl: &str) -> Result<Self, String> {
        let doc = s::parse_schema::<String>(sdl).map_err(|e| e.to_string())?;
        let mut schema = Schema {
            scalars: ["Int", "Float", "String", "Boolean", "ID"].into_iter().map(String::from).collect(),
            query_root: "Query".into(),
            mutation_root: "Mutation".into(),
            ..Default::default()
        };
        for def in doc.definitions {
            match def {
                s::Definition::SchemaDefinition(sd) => {
                    if let Some(qr) = sd.query {
                        schema.query_root = qr;
                    }
                    if let Some(m) = sd.mutation {
                        schema.mutation_root = m;
                    }
                }
                s::Definition::TypeDefinition(td) => match td {
                    TypeDefinition::Object(o) => {
                        let fields = o
                            .fields
                            .iter()
                            .map(|f| {
                                let args = f
                                    .arguments
                                    .iter()
                                    .map(|a| (a.name.clone(), (type_string(&a.value_type), a.default_value.is_some())))
                                    .collect();
                                (f.name.clone(), FieldDef { ty: type_string(&f.field_type), args })
                            })
                            .collect();
                        schema.objects.insert(o.name, fields);
                    }
                    TypeDefinition::InputObject(i) => {
                        let fields = i
                            .fields
                            .iter()
                            .map(|f| (f.name.clone(), (type_string(&f.value_type), f.default_value.is_some())))
                            .collect();
                        schema.inputs.insert(i.name, fields);
                    }
                    TypeDefinition::Enum(e) => {
                        schema.enums.insert(e.name, e.values.into_iter().map(|v| v.name).collect());
                    }
                    TypeDefinition::Scalar(sc) => {
                        schema.scalars.insert(sc.name);
                    }
                    TypeDefinition::Interface(i) => {
                        schema.others.insert(i.name);
                    }
                    TypeDefinition::Union(u) => {
                        schema.others.insert(u.name);
                    }
                },
                _ => {}
            }
        }
        Ok(schema)
    }

    pub fn kind(&self, name: &str) -> Option<Kind> {
        if self.objects.contains_key(name) {
            Some(Kind::Object)
        } else if self.inputs.contains_key(name) {
            Some(Kind::Input)
        } else if self.enums.contains_key(name) {
            Some(Kind::Enum)
        } else if self.scalars.contains(name) {
            Some(Kind::Scalar)
        } else if self.others.contains(name) {
            Some(Kind::Other)
        } else {
            None
        }
    }

    fn is_custom_scalar(&self, name: &str) -> bool {
        self.scalars.contains(name) && !["Int", "Float", "String", "Boolean", "ID"].contains(&name)
    }

    /// Every problem with `document` (empty = valid).
    pub fn validate(&self, document: &str) -> Vec<String> {
        let doc = match q::parse_query::<String>(document) {
            Ok(d) => d.into_static(),
            Err(e) => return vec![format!("does not parse: {e}")],
        };
        let fragments: HashMap<String, q::FragmentDefinition<'static, String>> = doc
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Fragment(f) => Some((f.name.clone(), f.clone())),
                _ => None,
            })
            .collect();
        let mut errors = Vec::new();
        for def in &doc.definitions {
            let Definition::Operation(op) = def else { continue };
            let (root, vars, selection, name) = match op {
                OperationDefinition::Query(qd) => {
                    (&self.query_root, &qd.variable_definitions, &qd.selection_set, qd.name.clone())
                }
                OperationDefinition::Mutation(m) => {
                    (&self.mutation_root, &m.variable_definitions, &m.selection_set, m.name.clone())
                }
                OperationDefinition::SelectionSet(ss) => (&self.query_root, &Vec::new(), ss, None),
                OperationDefinition::Subscription(_) => {
                    errors.push("subscriptions are not used".into());
                    continue;
                }
            };
            let mut ctx = Ctx {
                schema: self,
                fragments: &fragments,
                vars: vars.iter().map(|v| (v.name.clone(), qtype(&v.var_type))).collect(),
                used: HashSet::new(),
                errors: Vec::new(),
                op: name.unwrap_or_else(|| "anonymous".into()),
            };
            for (v, ty) in ctx.vars.clone() {
                match self.kind(base(&ty)) {
                    Some(Kind::Input | Kind::Enum | Kind::Scalar) => {}
                    _ => ctx.err(format!("variable ${v}: type {ty} is not an input type here")),
                }
            }
            ctx.selection(root, selection, root);
            for v in ctx.vars.keys() {
                if !ctx.used.contains(v) {
                    ctx.errors.push(format!("{}: variable ${v} is never used", ctx.op));
                }
            }
            errors.extend(ctx.errors);
        }
        errors
    }

    /// Problems with a JSON variable value for a variable of type `ty`.
    pub fn check_json(&self, value: &Json, ty: &str, path: &str, errors: &mut Vec<String>) {
        if let Some(inner) = ty.strip_suffix('!') {
            if value.is_null() {
                errors.push(format!("{path}: null for non-null {ty}"));
                return;
            }
            return self.check_json(value, inner, path, errors);
        }
        if value.is_null() {
            return;
        }
        if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            match value {
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_json(item, inner, &format!("{path}[{i}]"), errors);
                    }
                }
                single => self.check_json(single, inner, path, errors),
            }
            return;
        }
        match (self.kind(ty), value) {
            (Some(Kind::Input), Json::Object(map)) => {
                let fields = &self.inputs[ty];
                for (k, v) in map {
                    match fields.get(k) {
                        Some((fty, _)) => self.check_json(v, fty, &format!("{path}.{k}"), errors),
                        None => errors.push(format!("{path}: {ty} has no field `{k}`")),
                    }
                }
                for (k, (fty, has_default)) in fields {
                    if fty.ends_with('!') && !has_default && !map.contains_key(k) {
                        errors.push(format!("{path}: required {ty}.{k} missing"));
                    }
                }
            }
            (Some(Kind::Enum), Json::String(s)) if self.enums[ty].contains(s) => {}
            (Some(Kind::Scalar), v) => {
                let ok = match ty {
                    "Int" => v.as_i64().is_some(),
                    "Float" => v.is_number(),
                    "String" | "ID" => v.is_string() || (ty == "ID" && v.is_number()),
                    "Boolean" => v.is_boolean(),
                    _ => true,
                };
                if !ok {
                    errors.push(format!("{path}: {v} is not a {ty}"));
                }
            }
            (k, v) => errors.push(format!("{path}: {v} does not fit {ty} ({k:?})")),
        }
    }
}

pub fn qtype(t: &q::Type<'_, String>) -> String {
    match t {
        q::Type::NamedType(n) => n.clone(),
        q::Type::ListType(inner) => format!("[{}]", qtype(inner)),
        q::Type::NonNullType(inner) => format!("{}!", qtype(inner)),
    }
}

/// Can a variable of type `var` be used where `expected` is wanted?
fn compatible(var: &str, expected: &str) -> bool {
    if var == expected {
        return true;
    }
    if let Some(v) = var.strip_suffix('!') {
        if let Some(e) = expected.strip_suffix('!') {
            return compatible(v, e);
        }
        return compatible(v, expected);
    }
    if expected.ends_with('!') {
        return false;
    }
    match (
        var.strip_prefix('[').and_then(|t| t.strip_suffix(']')),
        expected.strip_prefix('[').and_then(|t| t.strip_suffix(']')),
    ) {
        (Some(v), Some(e)) => compatible(v, e),
        _ => false,
    }
}

struct Ctx<'s> {
    schema: &'s Schema,
    fragments: &'s HashMap<String, q::FragmentDefinition<'static, String>>,
    vars: BTreeMap<String, String>,
    used: HashSet<String>,
    errors: Vec<String>,
    op: String,
}

impl Ctx<'_> {
    fn err(&mut self, e: String) {
        self.errors.push(format!("{}: {e}", self.op));
    }

    fn selection(&mut self, ty: &str, set: &SelectionSet<'static, String>, path: &str) {
        let Some(fields) = self.schema.objects.get(ty) else {
            self.err(format!("{path}: {ty} is not an object type"));
            return;
        };
        for sel in &set.items {
            match sel {
                Selection::Field(f) => {
                    if f.name == "__typename" {
                        continue;
                    }
                    let here = format!("{path}.{}", f.name);
                    let Some(def) = fields.get(&f.name) else {
                        self.err(format!("{here}: no field `{}` on {ty}", f.name));
                        continue;
                    };
                    for (arg, value) in &f.arguments {
                        match def.args.get(arg) {
                            Some((aty, _)) => self.value(value, aty, &format!("{here}({arg})")),
                            None => self.err(format!("{here}: no argument `{arg}`")),
                        }
                    }
                    for (arg, (aty, has_default)) in &def.args {
                        if aty.ends_with('!') && !has_default && !f.arguments.iter().any(|(a, _)| a == arg) {
                            self.err(format!("{here}: required argument `{arg}` missing"));
                        }
                    }
                    let fb = base(&def.ty).to_owned();
                    match self.schema.kind(&fb) {
                        Some(Kind::Object) => {
                            if f.selection_set.items.is_empty() {
                                self.err(format!("{here}: {fb} needs a selection"));
                            } else {
                                self.selection(&fb, &f.selection_set, &here);
                            }
                        }
                        _ if !f.selection_set.items.is_empty() => self.err(format!("{here}: {fb} takes no selection")),
                        _ => {}
                    }
                }
                Selection::FragmentSpread(fs) => match self.fragments.get(&fs.fragment_name) {
                    Some(frag) => {
                        let q::TypeCondition::On(on) = &frag.type_condition;
                        if on != ty {
                            self.err(format!("{path}: fragment {} is on {on}, used on {ty}", fs.fragment_name));
                        }
                        let set = frag.selection_set.clone();
                        self.selection(ty, &set, &format!("{path}...{}", fs.fragment_name));
                    }
                    None => self.err(format!("{path}: unknown fragment {}", fs.fragment_name)),
                },
                Selection::InlineFragment(inl) => {
                    let set = inl.selection_set.clone();
                    self.selection(ty, &set, path);
                }
            }
        }
    }

    fn value(&mut self, v: &QValue, expected: &str, path: &str) {
        if let QValue::Variable(name) = v {
            self.used.insert(name.clone());
            match self.vars.get(name).cloned() {
                Some(vt) if compatible(&vt, expected) => {}
                Some(vt) => self.err(format!("{path}: ${name} is {vt}, expected {expected}")),
                None => self.err(format!("{path}: ${name} is not declared")),
            }
            return;
        }
        if let Some(inner) = expected.strip_suffix('!') {
            if matches!(v, QValue::Null) {
                self.err(format!("{path}: null for non-null {expected}"));
                return;
            }
            return self.value(v, inner, path);
        }
        if matches!(v, QValue::Null) {
            return;
        }
        if let Some(inner) = expected.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            match v {
                QValue::List(items) => items.iter().for_each(|i| self.value(i, inner, path)),
                single => self.value(single, inner, path),
            }
            return;
        }
        let schema = self.schema;
        match (schema.kind(expected), v) {
            (Some(Kind::Input), QValue::Object(map)) => {
                let fields = &schema.inputs[expected];
                for (k, val) in map {
                    match fields.get(k) {
                        Some((fty, _)) => self.value(val, fty, &format!("{path}.{k}")),
                        None => self.err(format!("{path}: {expected} has no field `{k}`")),
                    }
                }
            }
            (Some(Kind::Enum), QValue::Enum(e)) if schema.enums[expected].contains(e) => {}
            (Some(Kind::Scalar), QValue::Int(_)) if matches!(expected, "Int" | "Float" | "ID") => {}
            (Some(Kind::Scalar), QValue::Float(_)) if expected == "Float" => {}
            (Some(Kind::Scalar), QValue::String(_)) if matches!(expected, "String" | "ID") => {}
            (Some(Kind::Scalar), QValue::Boolean(_)) if expected == "Boolean" => {}
            (Some(Kind::Scalar), _) if schema.is_custom_scalar(expected) => {}
            (_, other) => self.err(format!("{path}: literal {other:?} does not fit {expected}")),
        }
    }
}

/// Root fields of the operation named `operation_name` (or the only one), aliases included:
/// what Hardcover bills and limits.
pub fn top_level_fields(document: &str, operation_name: Option<&str>) -> Result<Vec<String>, String> {
    let doc = q::parse_query::<String>(document).map_err(|e| e.to_string())?;
    let ops: Vec<(Option<String>, &SelectionSet<'_, String>)> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Operation(OperationDefinition::Query(qd)) => Some((qd.name.clone(), &qd.selection_set)),
            Definition::Operation(OperationDefinition::Mutation(m)) => Some((m.name.clone(), &m.selection_set)),
            Definition::Operation(OperationDefinition::SelectionSet(ss)) => Some((None, ss)),
            _ => None,
        })
        .collect();
    let set = match operation_name {
        Some(n) => ops.iter().find(|(name, _)| name.as_deref() == Some(n)).map(|(_, s)| *s),
        None if ops.len() == 1 => Some(ops[0].1),
        None => None,
    }
    .ok_or("operation not found")?;
    Ok(set
        .items
        .iter()
        .filter_map(|s| match s {
            Selection::Field(f) => Some(f.alias.clone().unwrap_or_else(|| f.name.clone())),
            _ => None,
        })
        .collect())
}

#[test]
fn validator_catches_mistakes() {
    let schema = Schema::parse(
        "schema { query: Q } type Q { a(x: Int!, y: [String!]): [T!]! } type T { id: Int! name: String } \
         input I { k: Int! }",
    )
    .unwrap();
    assert!(schema.validate("query Ok($x: Int!) { a(x: $x) { id } }").is_empty(), "a valid query must pass");
    let cases = [
        ("query { a(x: 1) { nope } }", "no field"),
        ("query { a(x: 1, z: 2) { id } }", "no argument"),
        ("query { a { id } }", "required argument"),
        ("query B($x: String!) { a(x: $x) { id } }", "expected Int"),
        ("query C($x: Int!, $u: Int) { a(x: $x) { id } }", "never used"),
        ("query D($y: [String]) { a(x: 1, y: $y) { id } }", "expected [String!]"),
        ("query { a(x: 1) }", "needs a selection"),
        ("query { a(x: 1) { id { x } } }", "takes no selection"),
    ];
    for (doc, expect) in cases {
        let errs = schema.validate(doc);
        assert!(errs.iter().any(|e| e.contains(expect)), "{doc} must be rejected with `{expect}`, got {errs:?}");
    }
    let mut errs = Vec::new();
    schema.check_json(&serde_json::json!({"k": 1, "extra": 2}), "I!", "v", &mut errs);
    assert!(
        errs.iter().any(|e| e.contains("no field `extra`")),
        "unknown input fields in variables are caught: {errs:?}"
    );
    assert_eq!(top_level_fields("mutation M { a: x b: x c: y }", Some("M")).unwrap(), vec!["a", "b", "c"]);
}
