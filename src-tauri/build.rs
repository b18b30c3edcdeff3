//! Generates the Tauri context and the app's command permissions.
//!
//! The command list is declared here so the capability file can grant the window exactly these
//! commands (and a command added without a permission is refused at run time, not silently open).

fn main() {
    let commands = &[
        "get_status",
        "connect_browser",
        "cancel_connect",
        "connect_token",
        "disconnect",
        "list_shelves",
        "list_books",
        "book_detail",
        "search_library",
        "open_on_hardcover",
        "book_highlights",
        "set_status",
        "set_rating",
        "add_to_list",
        "remove_from_list",
        "refresh_library",
        "sync_now",
        "set_paused",
        "sync_preview",
        "sync_runs",
        "run_items",
        "unmatched_items",
        "link_item",
        "unlink_item",
        "set_item_excluded",
        "excluded_items",
        "set_item_highlights",
        "devices",
        "confirm_device",
        "forget_device",
        "search_books",
        "book_editions",
        "get_settings",
        "save_settings",
        "test_source",
        "set_autostart",
        "open_logs_folder",
        "report_first_rows",
        "export_books",
        "cover_path",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step failed (is tauri.conf.json valid?)");
}
