//! The emulator must not invent fields: every column a row shows exists on the same type in
//! Hardcover's published schema (checked when the shared reference copy is present).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use graphql_parser::schema::{Definition, TypeDefinition};

use super::resolvers::Ctx;
use super::seed::{SeedSpec, seed_catalog, seed_library};
use super::state::{Db, Table};

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
