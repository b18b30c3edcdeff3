//! Where an export goes: the native save dialog, opened by this process.
//!
//! The page never names a path: it asks for an export, and the user picks the file in a dialog the
//! page cannot fill in or skip. So a compromised page can at most export the user's own books to a
//! file the user chose, never write anywhere it likes. The dialog sits behind a trait so command
//! tests can answer it on the mock runtime.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hardcover_sync::export::ExportFormat;
use hardcover_sync::store::library::Selection;
use hardcover_sync::sync::port::Status;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::window;

/// What the dialog shows: its title, the folder it opens in and the file name it suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveRequest {
    pub title: String,
    pub folder: PathBuf,
    pub file_name: String,
    pub format: ExportFormat,
}

/// The user's answer: the chosen file, or `None` when they cancelled.
pub type SaveAnswer = Box<dyn FnOnce(Option<PathBuf>) + Send>;

pub trait SaveDialog: Send + Sync {
    /// Show the dialog; `answer` is called once, when the user closes it.
    fn ask(&self, request: SaveRequest, answer: SaveAnswer);
}

/// The desktop's own save dialog (GTK on Linux), over the export window.
pub struct NativeSaveDialog<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> SaveDialog for NativeSaveDialog<R> {
    fn ask(&self, request: SaveRequest, answer: SaveAnswer) {
        let (name, extension) = match request.format {
            ExportFormat::Csv => ("CSV (Goodreads)", "csv"),
            ExportFormat::Json => ("JSON", "json"),
        };
        let mut dialog = self
            .0
            .dialog()
            .file()
            .set_title(request.title)
            .set_directory(&request.folder)
            .set_file_name(request.file_name)
            .add_filter(name, &[extension]);
        // Over the window, so it stays in front of it and is closed with it.
        if let Some(window) = self.0.get_webview_window(window::MAIN) {
            dialog = dialog.set_parent(&window);
        }
        dialog.save_file(move |chosen| answer(chosen.and_then(|p| p.into_path().ok())));
    }
}

/// The folder the dialog opens in: the user's Documents, else their home folder; never the app's
/// working folder (which, started from the tray or the login item, is `/` or the install folder).
pub fn export_folder() -> PathBuf {
    let user = directories::UserDirs::new();
    user.as_ref()
        .and_then(|u| u.document_dir().filter(|d| d.is_dir()).map(Path::to_path_buf))
        .or_else(|| user.as_ref().map(|u| u.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir)
}

/// `hardcover-library-2026-12-05.csv`: what was exported, and when, so a second export the same
/// day does not look like the first one.
pub fn default_file_name(selection: &Selection, format: ExportFormat, today: NaiveDate) -> String {
    let what = if selection.all {
        "library".to_owned()
    } else if let ([id], [], []) =
        (selection.status_ids.as_slice(), selection.list_ids.as_slice(), selection.book_ids.as_slice())
    {
        Status::from_id(*id).map_or_else(|| "shelf".to_owned(), |s| slug(s.label()))
    } else if selection.status_ids.is_empty() && selection.book_ids.is_empty() {
        "list".to_owned()
    } else {
        "selection".to_owned()
    };
    let extension = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
    };
    format!("hardcover-{what}-{today}.{extension}")
}

fn slug(label: &str) -> String {
    label.to_lowercase().split_whitespace().collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn the_suggested_name_says_what_was_exported_and_when() {
        let name = |s: Selection, f| default_file_name(&s, f, today());
        assert_eq!(name(Selection::everything(), ExportFormat::Csv), "hardcover-library-2026-12-05.csv");
        let want = Selection { status_ids: vec![1], ..Selection::default() };
        assert_eq!(name(want, ExportFormat::Json), "hardcover-want-to-read-2026-12-05.json", "a shelf is named");
        let list = Selection { list_ids: vec![7], ..Selection::default() };
        assert_eq!(name(list, ExportFormat::Csv), "hardcover-list-2026-12-05.csv");
        let books = Selection { book_ids: vec![1, 2], ..Selection::default() };
        assert_eq!(name(books, ExportFormat::Csv), "hardcover-selection-2026-12-05.csv");
    }

    #[test]
    fn the_dialog_opens_in_the_users_folders_not_the_working_folder() {
        let folder = export_folder();
        assert!(folder.is_absolute(), "the dialog's folder is a full path: {}", folder.display());
        let home = directories::UserDirs::new().expect("the test runs as a user with a home folder");
        assert!(folder.starts_with(home.home_dir()), "Documents or home, never elsewhere: {}", folder.display());
    }
}
