//! The IPC payload types, exactly as the UI sees them (camelCase JSON). See the IPC contract.
//!
//! These mirror core types rather than re-exporting them, so the core can change its internals
//! without silently changing what the web view receives. Their TypeScript twins are generated
//! into `ui/src/lib/bindings.ts` (see `bindings.rs`), so the two sides cannot drift apart.

use hardcover_sync::secret::Secret;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenStore {
    Keyring,
    File,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub connected: bool,
    pub username: Option<String>,
    pub user_id: Option<i64>,
    pub token_store: TokenStore,
    pub reconnect_needed: bool,
    pub reconnect_reason: Option<String>,
    pub sync: SyncStatus,
    pub offline: bool,
    pub demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Idle,
    Syncing,
    Paused,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: SyncState,
    pub last_run_at: Option<String>,
    pub last_summary: Option<RunSummary>,
    pub progress: Option<SyncProgress>,
    pub next_run_at: Option<String>,
}

/// Payload of `export-progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

/// What stretch of a sync `done`/`total` count in; each phase counts from 0 again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Reading the servers' libraries: counts servers, not items.
    Listing,
    /// Finding each item's Hardcover book: counts items.
    Matching,
    /// Sending the changes to Hardcover: counts items.
    Updating,
}

/// Payload of `sync-progress` (and the running sync's `SyncStatus.progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub run_id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub dry_run: bool,
    pub added: u32,
    pub progress_updated: u32,
    pub finished: u32,
    pub rated: u32,
    pub written_back: u32,
    pub skipped: u32,
    pub unmatched: u32,
    pub errors: u32,
    pub hardcover_requests: u32,
}

impl RunSummary {
    /// What the tray calls "updated": every change the run made on either side.
    pub fn updated(&self) -> u32 {
        self.added + self.progress_updated + self.finished + self.rated + self.written_back
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunItem {
    pub source: String,
    pub id: String,
    pub title: String,
    pub action: String,
    pub result: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShelfKind {
    Status,
    List,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShelfCount {
    pub kind: ShelfKind,
    pub id: i64,
    pub name: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Shelves {
    pub statuses: Vec<ShelfCount>,
    pub lists: Vec<ShelfCount>,
    pub updated_at: Option<String>,
    pub offline: bool,
}

/// How a book on the shelf is read (its edition's format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BookFormat {
    Audio,
    Ebook,
    Physical,
    Comic,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BookRow {
    pub user_book_id: Option<i64>,
    pub book_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub cover_url: Option<String>,
    #[ts(type = "StatusId | null")]
    pub status_id: Option<u8>,
    pub rating: Option<f64>,
    pub progress: Option<f64>,
    pub format: Option<BookFormat>,
    pub pages: Option<u32>,
    pub audio_seconds: Option<u32>,
    pub isbn13: Option<String>,
    pub date_added: Option<String>,
    pub finished_at: Option<String>,
    pub list_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Read {
    pub id: i64,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub progress: Option<f64>,
    pub progress_pages: Option<u32>,
    pub progress_seconds: Option<u32>,
    pub edition_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Edition {
    pub id: i64,
    pub title: Option<String>,
    pub format: Option<String>,
    pub pages: Option<u32>,
    pub audio_seconds: Option<u32>,
    pub isbn13: Option<String>,
    pub isbn10: Option<String>,
    pub asin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkedItem {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BookList {
    pub list_id: i64,
    pub list_book_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BookDetail {
    #[serde(flatten)]
    pub row: BookRow,
    pub subtitle: Option<String>,
    pub edition: Option<Edition>,
    pub reads: Vec<Read>,
    pub lists: Vec<BookList>,
    pub linked: Vec<LinkedItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub book_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub cover_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnmatchedItem {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub authors: Vec<String>,
    pub candidates: Vec<SearchHit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanAction {
    pub source: String,
    pub item_id: String,
    pub title: String,
    pub action: String,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "SourceKind")]
pub enum SourceKindDto {
    Audiobookshelf,
    Komga,
    Kavita,
    Kosync,
    Revenge,
    Kobo,
    Koreader,
}

/// A reading server as the settings page edits it. `secret` is write-only: it is accepted when the
/// user types a new one and never sent back (`hasSecret` tells whether one is stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SourceSettings {
    pub kind: SourceKindDto,
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub library: Vec<String>,
    #[serde(default)]
    pub has_secret: bool,
    #[serde(default, skip_serializing)]
    #[ts(as = "Option<String>", optional)]
    pub secret: Option<Secret>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    ToHardcover,
    FromHardcover,
    Bidirectional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NotificationSettings {
    pub finished: bool,
    pub failures: bool,
    pub reconnect: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub interval: String,
    pub direction: Direction,
    pub regression_guard: bool,
    pub currently_reading_threshold: f64,
    pub sync_ratings: bool,
    pub overwrite_ratings: bool,
    pub notifications: NotificationSettings,
    pub start_at_login: bool,
    pub token_store: TokenStore,
    pub sources: Vec<SourceSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestSourceResult {
    pub ok: bool,
    pub message: String,
    pub items: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectResult {
    pub revoked: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportSelection {
    #[serde(default)]
    pub status_ids: Vec<u8>,
    #[serde(default)]
    pub list_ids: Vec<i64>,
    #[serde(default)]
    pub book_ids: Vec<i64>,
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub rows: u32,
    pub path: String,
}

/// Payload of the `connect-result` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectResult {
    pub ok: bool,
    pub message: String,
}

/// Event names (app → window).
pub mod events {
    pub const STATUS_CHANGED: &str = "status-changed";
    pub const SYNC_PROGRESS: &str = "sync-progress";
    pub const SYNC_FINISHED: &str = "sync-finished";
    pub const CONNECT_RESULT: &str = "connect-result";
    pub const EXPORT_PROGRESS: &str = "export-progress";
    /// The shelves after a background refresh changed the local copy (payload: `Shelves`).
    pub const LIBRARY_CHANGED: &str = "library-changed";
}
