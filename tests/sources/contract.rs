//! Contract tests: every request our Komga and Kavita clients send, and every answer their
//! emulators give, checked against the operation in the server's published OpenAPI description
//! (`../shared/komga/openapi.json`, Komga 1.26.3; `../shared/kavita/openapi.json`, built against
//! Kavita 0.8.3.2). The exchanges are captured at the emulator while the real client runs.

use std::collections::BTreeSet;

use hardcover_sync::config::SourceKind;
use hardcover_sync::sources::WriteBack;
use hardcover_sync_emulators::kavita::{self, KavitaEmulator};
use hardcover_sync_emulators::komga::{KomgaEmulator, book_id};
use hardcover_sync_emulators::record::Exchange;
use hardcover_sync_emulators::seed::SeedBook;
use serde_json::{Map, Value, json};

use super::keyed;

/// A published OpenAPI description.
struct OpenApi {
    doc: Value,
}

impl OpenApi {
    fn load(rel: &str) -> Option<Self> {
        let path = super::shared(rel)?;
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        discriminators_to_json_schema(&mut doc);
        if doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.0")) {
            // OpenAPI 3.0's `nullable` is not JSON Schema: spell it as a `null` type.
            nullable_to_json_schema(&mut doc);
        }
        Some(Self { doc })
    }

    /// The operation for `method path`: path templates match one segment per `{param}`, and
    /// literal segments case-insensitively (ASP.NET routes, as Kavita's, ignore case).
    fn operation(&self, method: &str, path: &str) -> Option<(String, &Value)> {
        let want: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.doc["paths"].as_object()?.iter().find_map(|(template, item)| {
            let have: Vec<&str> = template.split('/').collect();
            let fits = have.len() == want.len()
                && have
                    .iter()
                    .zip(&want)
                    .all(|(h, w)| (h.starts_with('{') && h.ends_with('}')) || h.eq_ignore_ascii_case(w));
            let op = item.get(method.to_ascii_lowercase())?;
            fits.then(|| (format!("{method} {template}"), op))
        })
    }

    /// `schema` as a standalone JSON Schema whose `#/components/...` references resolve.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let mut root = Map::new();
        root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        root.insert("allOf".into(), json!([schema]));
        root.insert("components".into(), self.doc["components"].clone());
        jsonschema::draft202012::new(&Value::Object(root)).unwrap_or_else(|e| panic!("the spec's schema compiles: {e}"))
    }

    fn problems(&self, schema: &Value, instance: &Value) -> Vec<String> {
        self.validator(schema).iter_errors(instance).map(|e| format!("at {}: {e}", e.instance_path())).collect()
    }

    /// What in `x` disagrees with the spec, and the operation it matched.
    fn check(&self, x: &Exchange) -> (String, Vec<String>) {
        let Some((name, op)) = self.operation(&x.method, &x.path) else {
            return (format!("{} {}", x.method, x.path), vec!["no such operation in the spec".into()]);
        };
        let mut problems = Vec::new();
        let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
        let query: Vec<&Value> = params.iter().copied().filter(|p| p["in"] == "query").collect();
        for p in &query {
            let pname = p["name"].as_str().unwrap_or_default();
            if p["required"] == true && !x.query.iter().any(|(k, _)| k == pname) {
                problems.push(format!("the required query parameter {pname} is missing"));
            }
        }
        for (k, v) in &x.query {
            match query.iter().find(|p| p["name"] == k.as_str()) {
                None => problems.push(format!("query parameter {k} is not in the spec")),
                Some(p) => {
                    let schema = &p["schema"];
                    let value = match schema["type"].as_str() {
                        Some("integer") => v.parse::<i64>().map_or_else(|_| json!(v), |n| json!(n)),
                        Some("number") => v.parse::<f64>().map_or_else(|_| json!(v), |n| json!(n)),
                        Some("boolean") => v.parse::<bool>().map_or_else(|_| json!(v), |b| json!(b)),
                        Some("array") => json!([v]),
                        _ => json!(v),
                    };
                    problems.extend(self.problems(schema, &value).into_iter().map(|e| format!("query {k}={v}: {e}")));
                }
            }
        }
        match (op.get("requestBody"), &x.request) {
            (Some(body), Some(sent)) => match json_schema(&body["content"]) {
                Some(schema) => {
                    problems.extend(self.problems(schema, sent).into_iter().map(|e| format!("request body: {e}")))
                }
                None => problems.push("the operation takes no JSON body".into()),
            },
            (Some(body), None) if body["required"] == true => {
                problems.push("the required request body is missing".into())
            }
            (None, Some(sent)) => problems.push(format!("a body was sent to an operation that takes none: {sent}")),
            _ => {}
        }
        let responses = &op["responses"];
        match responses.get(x.status.to_string()).or_else(|| responses.get("default")) {
            None => problems.push(format!("status {} is not a documented answer", x.status)),
            Some(r) => {
                if let Some(schema) = json_schema(&r["content"]) {
                    match &x.response {
                        Some(answer) => problems.extend(
                            self.problems(schema, answer).into_iter().map(|e| format!("response {}: {e}", x.status)),
                        ),
                        None => problems.push(format!("response {} is not JSON ({})", x.status, x.content_type)),
                    }
                }
            }
        }
        (name, problems)
    }
}

/// The JSON schema of a `content` map: `application/json`, else `*/*`.
fn json_schema(content: &Value) -> Option<&Value> {
    ["application/json", "*/*"].iter().find_map(|ct| content.get(ct)).map(|c| &c["schema"])
}

/// OpenAPI's `discriminator` picks one `oneOf` branch by a property's value; plain JSON Schema
/// would try them all (and Komga's `is` / `isNot` operators have identical schemas, so `oneOf`
/// would match both). Spell the mapping as `if`/`then` on the property.
fn discriminators_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for child in m.values_mut() {
                discriminators_to_json_schema(child);
            }
            let mapping = m
                .get("discriminator")
                .and_then(|d| Some((d["propertyName"].as_str()?.to_owned(), d["mapping"].as_object()?.clone())));
            if let Some((property, mapping)) = mapping
                && m.contains_key("oneOf")
            {
                m.remove("oneOf");
                m.remove("discriminator");
                let keys: Vec<&String> = mapping.keys().collect();
                let mut all = vec![json!({"properties": {&property: {"enum": keys}}, "required": [&property]})];
                for (key, target) in &mapping {
                    all.push(json!({"if": {"properties": {&property: {"const": key}}}, "then": {"$ref": target}}));
                }
                m.insert("allOf".into(), Value::Array(all));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(discriminators_to_json_schema),
        _ => {}
    }
}

/// OpenAPI 3.0 `nullable: true` → JSON Schema: a `null` type (or `anyOf` null for a `$ref`).
fn nullable_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for child in m.values_mut() {
                nullable_to_json_schema(child);
            }
            if m.remove("nullable") == Some(Value::Bool(true)) {
                match m.get("type").cloned() {
                    Some(Value::String(t)) => {
                        m.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(e)) = m.get_mut("enum") {
                            e.push(Value::Null);
                        }
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(m));
                        m.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(nullable_to_json_schema),
        _ => {}
    }
}

/// Check every exchange; return the operations they covered. Panics with every disagreement.
fn assert_conforms(spec: &OpenApi, server: &str, exchanges: &[Exchange]) -> BTreeSet<String> {
    assert!(!exchanges.is_empty(), "the client must have talked to the {server} emulator");
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for x in exchanges {
        let (op, problems) = spec.check(x);
        if problems.is_empty() {
            covered.insert(op);
        } else {
            failures.push(format!("{op} ({} {}): {}", x.method, x.path, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "every request and answer must match {server}'s published spec:\n{}",
        failures.join("\n")
    );
    covered
}

#[tokio::test]
async fn komga_client_and_emulator_follow_the_published_spec() {
    let Some(spec) = OpenApi::load("komga/openapi.json") else { return };
    let emu = KomgaEmulator::builder().books(SeedBook::many(12)).unread(3).start().await.unwrap();
    let komga = keyed(SourceKind::Komga, "komga", &emu.base_url(), "komga-test-key");
    assert!(!komga.list().await.unwrap().is_empty());
    komga.write_back(&book_id(0), &WriteBack::Progress { fraction: 0.5, position: None }).await.unwrap();
    komga.write_back(&book_id(1), &WriteBack::Finished { finished_at: None }).await.unwrap();
    let covered = assert_conforms(&spec, "Komga", &emu.exchanges());
    let expected: BTreeSet<String> =
        ["POST /api/v1/books/list", "GET /api/v1/books/{bookId}", "PATCH /api/v1/books/{bookId}/read-progress"]
            .into_iter()
            .map(String::from)
            .collect();
    assert_eq!(covered, expected, "every endpoint the Komga client calls is checked against the spec");
}

#[tokio::test]
async fn kavita_client_and_emulator_follow_the_published_spec() {
    let Some(spec) = OpenApi::load("kavita/openapi.json") else { return };
    let emu = KavitaEmulator::builder()
        .books(SeedBook::many(5))
        .unread(1)
        .multi_chapter_series("Saga", vec![(20, 20), (20, 5), (20, 0)])
        .start()
        .await
        .unwrap();
    let kavita_source = keyed(SourceKind::Kavita, "kavita", &emu.base_url(), "kavita-test-key");
    assert!(!kavita_source.list().await.unwrap().is_empty());
    let (s, v, c) = kavita::ids(0);
    let one_chapter = format!("{}/{s}/{v}/{c}", kavita::LIBRARY_ID);
    kavita_source.write_back(&one_chapter, &WriteBack::Progress { fraction: 0.5, position: None }).await.unwrap();
    kavita_source.write_back(&one_chapter, &WriteBack::Finished { finished_at: None }).await.unwrap();
    let covered = assert_conforms(&spec, "Kavita", &emu.exchanges());
    let expected: BTreeSet<String> = [
        "POST /api/Plugin/authenticate",
        "POST /api/Series/all-v2",
        "GET /api/Series/volumes",
        "POST /api/Reader/progress",
        "POST /api/Reader/mark-read",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(covered, expected, "every endpoint the Kavita client calls is checked against the spec");
}

#[test]
fn a_request_outside_the_spec_is_caught() {
    let Some(spec) = OpenApi::load("komga/openapi.json") else { return };
    let x = Exchange {
        method: "PATCH".into(),
        path: "/api/v1/books/0A/read-progress".into(),
        query: vec![],
        request: Some(json!({"page": "five"})),
        status: 204,
        content_type: String::new(),
        response: None,
    };
    let (op, problems) = spec.check(&x);
    assert_eq!(op, "PATCH /api/v1/books/{bookId}/read-progress");
    assert!(
        problems.iter().any(|p| p.contains("request body")),
        "a page that is not a number breaks the contract: {problems:?}"
    );
    let unknown = Exchange { path: "/api/v1/nothing".into(), ..x };
    assert!(!spec.check(&unknown).1.is_empty(), "an operation the spec does not have is reported");
}
