//! The contract between the core and the page has one definition: the core's view types. Two
//! checks keep it so: `ui/src/lib/bindings.ts` must be exactly what the core renders from them
//! (`hardcover_sync::bindings`, feature `ts`), and neither desktop crate may declare a type of the
//! same name (a mirror of a view type is how four copies of one struct came about before).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hardcover_sync::bindings::{Declared, REGENERATE, render};

/// From this crate's folder.
fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

#[test]
fn bindings_ts_matches_the_core_s_view_types() {
    let (text, declared) = render();
    let names: BTreeSet<&str> = declared.iter().map(|d| d.name.as_str()).collect();
    for d in &declared {
        for dep in &d.refers_to {
            assert!(names.contains(dep.as_str()), "{} refers to {dep}, which bindings.ts must declare too", d.name);
        }
    }
    assert!(
        !text.contains("bigint"),
        "JSON numbers arrive as plain numbers: no payload may be typed bigint in bindings.ts"
    );
    let path = repo_path("ui/src/lib/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == text, "ui/src/lib/bindings.ts is out of date: run `{REGENERATE}`");
}

/// Every `struct`, `enum` and `type` declared in the `.rs` files under `dir`, with where.
fn declared_types(dir: &Path, out: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable folder entry").path();
        if path.is_dir() {
            declared_types(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (n, line) in text.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            for pair in words.windows(2) {
                if matches!(pair[0], "struct" | "enum" | "type") {
                    let name: String = pair[1].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    out.push((name, format!("{}:{}", path.display(), n + 1)));
                }
            }
        }
    }
}

#[test]
fn the_desktop_crates_declare_no_copy_of_a_core_view_type() {
    let (_, declared) = render();
    let view_types: BTreeSet<&str> = declared.iter().flat_map(|d: &Declared| [d.name.as_str(), d.rust_name]).collect();
    for krate in ["desktop", "src-tauri"] {
        let mut found = Vec::new();
        declared_types(&repo_path(&format!("{krate}/src")), &mut found);
        assert!(found.len() > 5, "the scan of {krate}/src must see its types (found {})", found.len());
        let copies: Vec<_> = found.iter().filter(|(name, _)| view_types.contains(name.as_str())).collect();
        assert!(
            copies.is_empty(),
            "{krate} must use the core's view types, not declare its own copy (one definition per type): {copies:?}"
        );
        let manifest =
            std::fs::read_to_string(repo_path(&format!("{krate}/Cargo.toml"))).expect("the crate's manifest");
        assert!(
            !manifest.lines().any(|l| l.trim_start().starts_with("ts-rs")),
            "{krate} must not depend on ts-rs: TypeScript comes from the core's view types alone"
        );
    }
}
