//! `ui/src/lib/bindings.ts`: the TypeScript side of the IPC payloads (`model.rs`, `error.rs`),
//! rendered with ts-rs. The file is committed, so the UI builds without Rust; the test below fails
//! when it no longer matches the Rust types, and rewrites it when asked:
//!
//! ```sh
//! UPDATE_BINDINGS=1 cargo test -p hardcover-sync-desktop bindings
//! ```

use std::collections::BTreeSet;
use std::path::PathBuf;

use ts_rs::{Config, TS};

use crate::error::{ErrorCode, IpcError};
use crate::model::*;

pub const REGENERATE: &str = "UPDATE_BINDINGS=1 cargo test -p hardcover-sync-desktop bindings";

/// Where the bindings live, from this crate's folder.
fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts")
}

/// One type's declaration, as ts-rs writes it in a file of its own (doc comment, `export`).
fn decl<T: TS + 'static>(cfg: &Config, declared: &mut Vec<(String, Vec<String>)>) -> String {
    let deps = T::dependencies(cfg).into_iter().map(|d| d.ts_name).collect();
    declared.push((T::ident(cfg), deps));
    format!("{}export {}\n", T::docs().unwrap_or_default(), T::decl(cfg))
}

/// The whole file, and each declared type with the types it refers to.
fn render() -> (String, Vec<(String, Vec<String>)>) {
    // Ids, counts and seconds are far below 2^53: plain numbers, as the JSON carries them.
    let cfg = Config::new().with_large_int("number");
    let mut declared = Vec::new();
    let mut out = format!(
        "// Generated from desktop/src/model.rs and error.rs by ts-rs: do not edit.\n\
         // Regenerate with `{REGENERATE}`.\n\n"
    );
    // Hardcover's reading statuses, from the core's list (the Rust side carries them as a u8).
    let ids: Vec<String> = hardcover_sync::export::STATUSES.iter().map(|(id, _, _)| id.to_string()).collect();
    out.push_str(&format!("/** Hardcover's reading status ids. */\nexport type StatusId = {};\n", ids.join(" | ")));
    declared.push(("StatusId".into(), Vec::new()));
    macro_rules! all {
        ($($t:ty),* $(,)?) => { $( out.push('\n'); out.push_str(&decl::<$t>(&cfg, &mut declared)); )* };
    }
    all!(
        // Errors every command may answer with.
        ErrorCode,
        IpcError,
        // Status, tray and sync.
        TokenStore,
        AppStatus,
        SyncState,
        SyncStatus,
        SourceStatus,
        SyncPhase,
        SyncProgress,
        Progress,
        RunSummary,
        RunItem,
        PlanAction,
        UnmatchedItem,
        SearchHit,
        // Shelves and books.
        ShelfKind,
        ShelfCount,
        Shelves,
        BookFormat,
        BookRow,
        Read,
        Edition,
        LinkedItem,
        BookList,
        BookDetail,
        // Settings.
        SourceKindDto,
        SourceSettings,
        Direction,
        NotificationSettings,
        Settings,
        TestSourceResult,
        DisconnectResult,
        ConnectResult,
        // Export.
        ExportSelection,
        ExportFormat,
        ExportResult,
    );
    (out, declared)
}

#[test]
fn bindings_ts_matches_the_rust_payloads() {
    let (text, declared) = render();
    let names: BTreeSet<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
    for (name, deps) in &declared {
        for dep in deps {
            assert!(names.contains(dep.as_str()), "{name} refers to {dep}, which bindings.ts must declare too");
        }
    }
    assert!(
        !text.contains("bigint"),
        "JSON numbers arrive as plain numbers: no payload may be typed bigint in bindings.ts"
    );
    let path = path();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == text, "ui/src/lib/bindings.ts is out of date: run `{REGENERATE}`");
}
