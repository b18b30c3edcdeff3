//! `ui/src/lib/bindings.ts`: the TypeScript side of the view types, rendered with ts-rs from their
//! one definition here in the core (behind the `ts` feature, so nothing else pays for it). The file
//! is committed, so the UI builds without Rust; the desktop crate's `bindings` test fails when it
//! no longer matches, and rewrites it when asked:
//!
//! ```sh
//! UPDATE_BINDINGS=1 cargo test -p hardcover-sync-desktop bindings
//! ```

use ts_rs::{Config, TS};

use crate::app::status::{AppStatus, ConnectResult, DisconnectResult, SourceStatus, SyncState, SyncStatus};
use crate::app::{Shelf, ShelfKind, Shelves};
use crate::config::{Direction, SourceKind, TokenStoreKind};
use crate::error::{ErrorCode, IpcError};
use crate::export::{ExportFormat, ExportResult, Progress};
use crate::shelf::settings::{NotificationSettings, Settings, SourceSettings};
use crate::shelf::{
    BookDetail, BookFormat, BookRow, EditionInfo, LinkedItem, ListMembership, ReadInfo, SearchHit, SourceTest,
    UnmatchedItem,
};
use crate::store::devices::DeviceView;
use crate::store::item_prefs::ExcludedItem;
use crate::store::journal::HighlightView;
use crate::store::library::Selection;
use crate::sync::observe::{SyncPhase, SyncProgress};
use crate::sync::report::{PlanAction, PlanPreview, RunItem, RunSummary};

pub const REGENERATE: &str = "UPDATE_BINDINGS=1 cargo test -p hardcover-sync-desktop bindings";

/// One declared type: its TypeScript name, its Rust name and the names it refers to.
pub struct Declared {
    pub name: String,
    pub rust_name: &'static str,
    pub refers_to: Vec<String>,
}

/// One type's declaration, as ts-rs writes it in a file of its own (doc comment, `export`).
fn decl<T: TS + 'static>(cfg: &Config, declared: &mut Vec<Declared>) -> String {
    let refers_to = T::dependencies(cfg).into_iter().map(|d| d.ts_name).collect();
    let rust_name = std::any::type_name::<T>().rsplit("::").next().unwrap_or_default();
    declared.push(Declared { name: T::ident(cfg), rust_name, refers_to });
    format!("{}export {}\n", T::docs().unwrap_or_default(), T::decl(cfg))
}

/// The whole file, and every type it declares.
pub fn render() -> (String, Vec<Declared>) {
    // Ids, counts and seconds are far below 2^53: plain numbers, as the JSON carries them.
    let cfg = Config::new().with_large_int("number");
    let mut declared = Vec::new();
    let mut out = format!(
        "// Generated from the core's view types (hardcover-sync, feature `ts`) by ts-rs: do not edit.\n\
         // Regenerate with `{REGENERATE}`.\n\n"
    );
    // Hardcover's reading statuses, from the core's list.
    let ids: Vec<String> = crate::export::STATUSES.iter().map(|(id, _, _)| id.to_string()).collect();
    out.push_str(&format!("/** Hardcover's reading status ids. */\nexport type StatusId = {};\n", ids.join(" | ")));
    declared.push(Declared { name: "StatusId".into(), rust_name: "StatusId", refers_to: Vec::new() });
    macro_rules! all {
        ($($t:ty),* $(,)?) => { $( out.push('\n'); out.push_str(&decl::<$t>(&cfg, &mut declared)); )* };
    }
    all!(
        // Errors every command may answer with.
        ErrorCode,
        IpcError,
        // Status, tray and sync.
        TokenStoreKind,
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
        PlanPreview,
        UnmatchedItem,
        ExcludedItem,
        SearchHit,
        // Shelves and books.
        ShelfKind,
        Shelf,
        Shelves,
        BookFormat,
        BookRow,
        ReadInfo,
        EditionInfo,
        LinkedItem,
        ListMembership,
        BookDetail,
        HighlightView,
        // E-readers.
        DeviceView,
        // Settings.
        SourceKind,
        SourceSettings,
        Direction,
        NotificationSettings,
        Settings,
        SourceTest,
        DisconnectResult,
        ConnectResult,
        // Export.
        Selection,
        ExportFormat,
        ExportResult,
    );
    (out, declared)
}
