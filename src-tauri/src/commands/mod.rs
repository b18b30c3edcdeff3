//! The commands the window may call. Each is a few lines: the work happens in the core's `App`,
//! reached through `AppState`, and the answers are the core's view types. Permissions are granted per command in
//! `capabilities/main-window.json`; the list in `build.rs` must match `handler()`.

pub mod connect;
pub mod export;
pub mod library;
pub mod settings;
pub mod status;
pub mod sync;
pub mod system;

use tauri::Runtime;
use tauri::ipc::Invoke;

pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        status::get_status,
        connect::connect_browser,
        connect::cancel_connect,
        connect::connect_token,
        connect::disconnect,
        library::list_shelves,
        library::list_books,
        library::book_detail,
        library::search_library,
        library::open_on_hardcover,
        library::book_highlights,
        library::set_status,
        library::set_rating,
        library::add_to_list,
        library::remove_from_list,
        library::refresh_library,
        library::search_books,
        library::book_editions,
        library::cover_path,
        sync::sync_now,
        sync::set_paused,
        sync::sync_preview,
        sync::sync_runs,
        sync::run_items,
        sync::unmatched_items,
        sync::link_item,
        sync::unlink_item,
        sync::set_item_excluded,
        sync::excluded_items,
        sync::set_item_highlights,
        sync::devices,
        sync::confirm_device,
        sync::forget_device,
        settings::get_settings,
        settings::save_settings,
        settings::test_source,
        system::set_autostart,
        system::open_logs_folder,
        system::report_first_rows,
        export::export_books,
    ]
}

#[cfg(test)]
mod tests;
