//! Our hand-written schema subset must agree with Hardcover's published schema, and every
//! operation we send must be valid against both.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hardcover_sync::hardcover::batch::{self, Mutation};
use hardcover_sync::hardcover::{
    Change, DatesRead, NewListBook, NewReadingJournal, NewUserBook, ReadingJournalChanges, ReadingStatus,
    UserBookChanges,
};

use super::validate::{Schema, qtype, type_string};

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn upstream_path() -> PathBuf {
    crate_root().join("../shared/hardcover/schema.graphql")
}

pub fn subset() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let text =
            std::fs::read_to_string(crate_root().join("graphql/schema.graphql")).expect("graphql/schema.graphql");
        Schema::parse(&text).expect("our schema subset must parse")
    })
}

/// Hardcover's schema, or `None` (with a warning) when `../shared` is absent outside CI.
pub fn upstream() -> Option<&'static Schema> {
    static S: OnceLock<Option<Schema>> = OnceLock::new();
    S.get_or_init(|| {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        load_upstream(&upstream_path(), ci).unwrap_or_else(|message| panic!("{message}"))
    })
    .as_ref()
}

/// In CI (`CI=true`) a missing upstream schema is an error: the comparison must not silently
/// stop running there. Elsewhere it is a warning and the comparison is skipped.
fn load_upstream(path: &Path, ci: bool) -> Result<Option<Schema>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Schema::parse(&text).map(Some).map_err(|e| format!("{} does not parse: {e}", path.display())),
        Err(e) if ci => Err(format!(
            "CI=true but Hardcover's schema is missing at {} ({e}): provide ../shared/hardcover/schema.graphql \
             (from hardcoverapp/hardcover-docs) so the schema subset can be checked",
            path.display()
        )),
        Err(e) => {
            eprintln!(
                "WARNING: {} not found ({e}); skipping the comparison with Hardcover's schema (set CI=true to make this fail)",
                path.display()
            );
            Ok(None)
        }
    }
}

#[test]
fn missing_upstream_schema_fails_only_in_ci() {
    let missing = crate_root().join("graphql/does-not-exist.graphql");
    let err = load_upstream(&missing, true).expect_err("in CI a missing upstream schema must fail the test");
    assert!(err.contains("CI=true") && err.contains("does-not-exist"), "the failure says what is missing: {err}");
    assert!(
        load_upstream(&missing, false).unwrap().is_none(),
        "outside CI a missing upstream schema is only a warning"
    );
}

#[test]
fn subset_agrees_with_upstream() {
    let Some(up) = upstream() else { return };
    let ours = subset();
    // Parse our file again to walk it in source order with exact type strings.
    let text = std::fs::read_to_string(crate_root().join("graphql/schema.graphql")).unwrap();
    let doc = graphql_parser::parse_schema::<String>(&text).unwrap();
    let mut problems = Vec::new();
    let mut checked = 0usize;
    assert_eq!(ours.query_root, up.query_root, "the query root type must be Hardcover's");
    assert_eq!(ours.mutation_root, up.mutation_root, "the mutation root type must be Hardcover's");
    use graphql_parser::schema::{Definition, TypeDefinition};
    for def in &doc.definitions {
        let Definition::TypeDefinition(td) = def else { continue };
        match td {
            TypeDefinition::Object(o) => {
                let Some(up_fields) = up.objects.get(&o.name) else {
                    problems.push(format!("type {} is not an object type upstream", o.name));
                    continue;
                };
                for f in &o.fields {
                    checked += 1;
                    let Some(uf) = up_fields.get(&f.name) else {
                        problems.push(format!("{}.{} does not exist upstream", o.name, f.name));
                        continue;
                    };
                    let ty = type_string(&f.field_type);
                    if ty != uf.ty {
                        problems.push(format!("{}.{}: ours {ty}, upstream {}", o.name, f.name, uf.ty));
                    }
                    for a in &f.arguments {
                        checked += 1;
                        let aty = type_string(&a.value_type);
                        match uf.args.get(&a.name) {
                            Some((uty, _)) if *uty == aty => {}
                            Some((uty, _)) => {
                                problems.push(format!("{}.{}({}): ours {aty}, upstream {uty}", o.name, f.name, a.name))
                            }
                            None => problems.push(format!("{}.{}({}) does not exist upstream", o.name, f.name, a.name)),
                        }
                    }
                    // An argument upstream requires must be in our subset too, or our
                    // compile-time check would accept calls Hardcover rejects.
                    for (name, (uty, has_default)) in &uf.args {
                        if uty.ends_with('!') && !has_default && !f.arguments.iter().any(|a| &a.name == name) {
                            problems.push(format!(
                                "{}.{}: required argument {name} missing from the subset",
                                o.name, f.name
                            ));
                        }
                    }
                }
            }
            TypeDefinition::InputObject(i) => {
                let Some(up_fields) = up.inputs.get(&i.name) else {
                    problems.push(format!("input {} does not exist upstream", i.name));
                    continue;
                };
                for f in &i.fields {
                    checked += 1;
                    let ty = type_string(&f.value_type);
                    match up_fields.get(&f.name) {
                        Some((uty, _)) if *uty == ty => {}
                        Some((uty, _)) => problems.push(format!("{}.{}: ours {ty}, upstream {uty}", i.name, f.name)),
                        None => problems.push(format!("input field {}.{} does not exist upstream", i.name, f.name)),
                    }
                }
                for (name, (uty, has_default)) in up_fields {
                    if uty.ends_with('!') && !has_default && !i.fields.iter().any(|f| &f.name == name) {
                        problems.push(format!("{}: required input field {name} missing from the subset", i.name));
                    }
                }
            }
            TypeDefinition::Enum(e) => match up.enums.get(&e.name) {
                Some(values) => {
                    for v in &e.values {
                        checked += 1;
                        if !values.contains(&v.name) {
                            problems.push(format!("enum value {}.{} does not exist upstream", e.name, v.name));
                        }
                    }
                }
                None => problems.push(format!("enum {} does not exist upstream", e.name)),
            },
            TypeDefinition::Scalar(s) => {
                checked += 1;
                if !up.scalars.contains(&s.name) {
                    problems.push(format!("scalar {} does not exist upstream", s.name));
                }
            }
            TypeDefinition::Interface(_) | TypeDefinition::Union(_) => {
                problems.push("the subset uses no interfaces or unions".into())
            }
        }
    }
    assert!(checked > 100, "the comparison must actually walk the subset (checked {checked} items)");
    assert!(
        problems.is_empty(),
        "every type, field, argument and input field of the subset must exist upstream with the same type:\n{}",
        problems.join("\n")
    );
}

#[test]
fn subset_differs_from_upstream_file() {
    // The subset is ours; a wholesale copy of Hardcover's file must never land in the repo.
    let ours = std::fs::read_to_string(crate_root().join("graphql/schema.graphql")).unwrap();
    assert!(ours.len() < 50_000, "graphql/schema.graphql must stay a small subset, not a copy of Hardcover's schema");
}

fn operation_files() -> Vec<(String, String)> {
    let dir = crate_root().join("graphql");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("graphql/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "graphql") && p.file_name().is_some_and(|n| n != "schema.graphql")
        })
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn schemas() -> Vec<(&'static str, &'static Schema)> {
    let mut v = vec![("our subset", subset())];
    if let Some(up) = upstream() {
        v.push(("Hardcover's schema", up));
    }
    v
}

#[test]
fn operations_validate_against_both_schemas() {
    let files = operation_files();
    assert!(files.len() >= 6, "expected the operation files in graphql/, found {}", files.len());
    for (which, schema) in schemas() {
        for (name, text) in &files {
            let errors = schema.validate(text);
            assert!(errors.is_empty(), "graphql/{name} must be valid against {which}:\n{}", errors.join("\n"));
        }
    }
}

fn sample_mutations() -> Vec<Mutation> {
    let d = |s: &str| s.parse().unwrap();
    vec![
        Mutation::InsertUserBook(NewUserBook {
            edition_id: Some(2),
            status: Some(ReadingStatus::CurrentlyReading),
            rating: Some(4.5),
            date_added: Some(d("2024-01-02")),
            privacy_setting_id: Some(1),
            ..NewUserBook::new(1)
        }),
        Mutation::UpdateUserBook {
            id: 3,
            changes: UserBookChanges {
                status: Some(ReadingStatus::Read),
                edition_id: Some(9),
                rating: Change::Clear,
                date_added: Some(d("2024-01-02")),
                privacy_setting_id: Some(3),
            },
        },
        Mutation::DeleteUserBook { id: 4 },
        Mutation::InsertUserBookRead {
            user_book_id: 5,
            read: DatesRead {
                edition_id: Some(2),
                started_at: Change::Set(d("2024-01-01")),
                finished_at: Change::Set(d("2024-02-01")),
                progress_pages: Some(100),
                progress_seconds: None,
            },
        },
        Mutation::UpdateUserBookRead {
            id: 6,
            read: DatesRead { progress_seconds: Some(3600), finished_at: Change::Clear, ..Default::default() },
        },
        Mutation::DeleteUserBookRead { id: 7 },
        Mutation::InsertListBook(NewListBook { list_id: 1, book_id: 2, edition_id: Some(3), position: Some(1) }),
        Mutation::DeleteListBook { id: 8 },
        Mutation::InsertReadingJournal(NewReadingJournal {
            book_id: 1,
            edition_id: Some(2),
            event: "quote".into(),
            entry: "A highlight\n\n---\n\nits note".into(),
            action_at: Some(d("2024-01-02")),
            metadata: serde_json::json!({"position": {"type": "pages", "value": 12, "percent": 25.0}}),
            privacy_setting_id: 3,
            tags: Vec::new(),
        }),
        Mutation::UpdateReadingJournal {
            id: 9,
            changes: ReadingJournalChanges { entry: "edited".into(), metadata: serde_json::json!({}) },
        },
        Mutation::DeleteReadingJournal { id: 10 },
        Mutation::EditionOwned { id: 11 },
    ]
}

#[test]
fn generated_documents_validate_against_both_schemas() {
    let mut docs: Vec<_> = sample_mutations().iter().map(batch::mutation_document).collect();
    let isbns = crate::support::isbn13s(23);
    docs.extend(batch::edition_lookup_documents(&isbns, &["B00ABCDEFG"], 4));
    docs.extend(batch::status_count_documents(42));
    docs.push(batch::journal_document(42, &[1, 2], "quote", 100, 0));
    assert!(docs.len() >= 6);
    for (which, schema) in schemas() {
        for doc in &docs {
            let mut errors = schema.validate(&doc.query);
            // Variable values too: a misnamed input field would only fail on Hardcover.
            let parsed = graphql_parser::parse_query::<String>(&doc.query).unwrap();
            for def in &parsed.definitions {
                let graphql_parser::query::Definition::Operation(op) = def else { continue };
                let vars = match op {
                    graphql_parser::query::OperationDefinition::Query(q) => &q.variable_definitions,
                    graphql_parser::query::OperationDefinition::Mutation(m) => &m.variable_definitions,
                    _ => continue,
                };
                for v in vars {
                    let ty = qtype(&v.var_type);
                    let value = doc.variables.get(&v.name).cloned().unwrap_or(serde_json::Value::Null);
                    schema.check_json(&value, &ty, &format!("${}", v.name), &mut errors);
                }
                assert_eq!(vars.len(), doc.variables.len(), "every variable sent is declared");
            }
            assert!(
                doc.top_level_fields() <= batch::MAX_TOP_LEVEL_FIELDS,
                "a generated document must have at most 5 top-level fields"
            );
            assert!(
                errors.is_empty(),
                "generated document must be valid against {which}:\n{}\n{}",
                doc.query,
                errors.join("\n")
            );
        }
    }
}
