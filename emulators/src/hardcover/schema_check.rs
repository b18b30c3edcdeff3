//! The emulator must not invent fields: every column a row shows exists on the same type in
//! Hardcover's published schema (checked when the shared reference copy is present).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use graphql_parser::schema::{Definition, TypeDefinition};

use super::resolvers::Ctx;
use super::seed::{SeedSpec, seed_catalog, seed_library};
use super::state::{Db, ReadingJournal, Table};

fn schema_fields() -> Option<HashMap<String, HashSet<String>>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/hardcover/schema.graphql");
    let text = std::fs::read_to_string(&path).ok()?;
    let doc = graphql_parser::parse_schema::<String>(&text).expect("the reference schema must parse");
    let mut out = HashMap::new();
    for def in doc.definitions {
        if let Definition::TypeDefinition(TypeDefinition::Object(o)) = def {
            out.insert(o.name, o.fields.into_iter().map(|f| f.name).collect());
        }
    }
    Some(out)
}

#[test]
fn every_emulated_column_exists_in_hardcovers_schema() {
    let Some(types) = schema_fields() else {
        eprintln!("shared/hardcover/schema.graphql not found next to the worktree: schema agreement not checked");
        return;
    };
    let mut db = Db::new(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
    let spec = SeedSpec { books: 30, ..SeedSpec::default() };
    seed_catalog(&mut db, &spec);
    let user = db.add_user("reader");
    seed_library(&mut db, user, &spec, 1.0);
    let book_id = *db.books.keys().next().expect("a seeded book");
    db.add_journal(ReadingJournal {
        id: 0,
        user_id: user,
        book_id,
        edition_id: None,
        event: "quote".into(),
        entry: Some("A highlight".into()),
        action_at: "2026-06-01T00:00:00+00:00".into(),
        metadata: serde_json::json!({}),
        privacy_setting_id: 3,
        object_type: "ReadingJournal".into(),
        likes_count: 0,
        created_at: "2026-06-01T00:00:00+00:00".into(),
        updated_at: "2026-06-01T00:00:00+00:00".into(),
    });
    let tables = [
        Table::Users,
        Table::Authors,
        Table::Books,
        Table::Editions,
        Table::ReadingFormats,
        Table::Images,
        Table::Contributions,
        Table::UserBooks,
        Table::UserBookReads,
        Table::UserBookStatuses,
        Table::Lists,
        Table::ListBooks,
        Table::ReadingJournals,
    ];
    let mut invented = Vec::new();
    for table in tables {
        let fields = types
            .get(table.type_name())
            .unwrap_or_else(|| panic!("type {} must exist in the schema", table.type_name()));
        let id = *db.ids(table).first().unwrap_or_else(|| panic!("the seed must have a {} row", table.type_name()));
        let row = db.row(table, id, "http://x").unwrap();
        invented.extend(
            row.as_object()
                .unwrap()
                .keys()
                .filter(|k| !fields.contains(*k))
                .map(|k| format!("{}.{k}", table.type_name())),
        );
    }
    assert!(invented.is_empty(), "every emulated column must exist in Hardcover's schema; invented: {invented:?}");

    // Relationships: probe every field name the schema knows on every table.
    let all_names: HashSet<&String> = types.values().flatten().collect();
    let cx = Ctx::new(&db, user, "http://x");
    for table in tables {
        let fields = &types[table.type_name()];
        let id = db.ids(table)[0];
        let row = db.row(table, id, "http://x").unwrap();
        for name in &all_names {
            if cx.relation(table, &row, name).is_some() && !fields.contains(*name) {
                invented.push(format!("{}.{name} (relationship)", table.type_name()));
            }
        }
    }
    assert!(
        invented.is_empty(),
        "every emulated relationship must exist in Hardcover's schema; invented: {invented:?}"
    );
}

/// The journal and ownership mutations exist in `mutation_root`, and their inputs carry exactly the
/// fields the emulator accepts.
#[test]
fn journal_mutations_match_hardcovers_schema() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/hardcover/schema.graphql");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {} is missing", path.display());
        eprintln!("shared/hardcover/schema.graphql not found next to the worktree: journal schema not checked");
        return;
    };
    let doc = graphql_parser::parse_schema::<String>(&text).expect("the reference schema must parse");
    let mut inputs: HashMap<String, HashSet<String>> = HashMap::new();
    let mut mutations = HashSet::new();
    for def in doc.definitions {
        match def {
            Definition::TypeDefinition(TypeDefinition::InputObject(o)) => {
                inputs.insert(o.name, o.fields.into_iter().map(|f| f.name).collect());
            }
            Definition::TypeDefinition(TypeDefinition::Object(o)) if o.name == "mutation_root" => {
                mutations.extend(o.fields.into_iter().map(|f| f.name));
            }
            _ => {}
        }
    }
    for m in ["insert_reading_journal", "update_reading_journal", "delete_reading_journal", "edition_owned"] {
        assert!(mutations.contains(m), "{m} must be a mutation of the published schema");
    }
    let ours: HashSet<String> = super::resolvers::mutation::JOURNAL_INPUT.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        inputs["ReadingJournalCreateType"], ours,
        "the emulator accepts exactly ReadingJournalCreateType's fields"
    );
    let update: HashSet<String> = ours.iter().filter(|f| *f != "book_id").cloned().collect();
    assert_eq!(inputs["ReadingJournalUpdateType"], update, "an update takes every create field but book_id");
}
