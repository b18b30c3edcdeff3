// Generated from desktop/src/model.rs and error.rs by ts-rs: do not edit.
// Regenerate with `UPDATE_BINDINGS=1 cargo test -p hardcover-sync-desktop bindings`.

/** Hardcover's reading status ids. */
export type StatusId = 1 | 2 | 3 | 4 | 5 | 6;

/**
 * Stable codes, shared with `ui/` (see the IPC contract). Adding one is a contract change.
 */
export type ErrorCode = "not_connected" | "reconnect_needed" | "offline" | "rate_limited" | "invalid_input" | "not_found" | "hardcover_error" | "source_error" | "busy" | "internal";

/**
 * Serializes as `{ "code": "...", "message": "..." }`. The message is for people: it says what
 * to fix, and never holds a secret (core errors wrap secrets in `Secret`, which prints redacted).
 */
export type IpcError = { code: ErrorCode, message: string, };

export type TokenStore = "keyring" | "file";

export type AppStatus = { connected: boolean, username: string | null, userId: number | null, tokenStore: TokenStore, reconnectNeeded: boolean, reconnectReason: string | null, sync: SyncStatus, offline: boolean, demo: boolean, };

export type SyncState = "idle" | "syncing" | "paused" | "error";

export type SyncStatus = { state: SyncState, lastRunAt: string | null, lastSummary: RunSummary | null, progress: SyncProgress | null, nextRunAt: string | null, };

/**
 * What stretch of a sync `done`/`total` count in; each phase counts from 0 again.
 */
export type SyncPhase = "listing" | "matching" | "updating";

/**
 * Payload of `sync-progress` (and the running sync's `SyncStatus.progress`).
 */
export type SyncProgress = { phase: SyncPhase, done: number, total: number, };

/**
 * Payload of `export-progress`.
 */
export type Progress = { done: number, total: number, };

export type RunSummary = { runId: number, startedAt: string, finishedAt: string | null, dryRun: boolean, added: number, progressUpdated: number, finished: number, rated: number, writtenBack: number, skipped: number, unmatched: number, errors: number, hardcoverRequests: number, };

export type RunItem = { source: string, id: string, title: string, action: string, result: string, reason: string | null, };

export type PlanAction = { source: string, itemId: string, title: string, action: string, detail: string, };

export type UnmatchedItem = { source: string, itemId: string, title: string, authors: Array<string>, candidates: Array<SearchHit>, };

export type SearchHit = { bookId: number, title: string, authors: Array<string>, year: number | null, coverUrl: string | null, };

export type ShelfKind = "status" | "list";

export type ShelfCount = { kind: ShelfKind, id: number, name: string, count: number, };

export type Shelves = { statuses: Array<ShelfCount>, lists: Array<ShelfCount>, updatedAt: string | null, offline: boolean, };

/**
 * How a book on the shelf is read (its edition's format).
 */
export type BookFormat = "audio" | "ebook" | "physical" | "comic";

export type BookRow = { userBookId: number | null, bookId: number, title: string, authors: Array<string>, coverUrl: string | null, statusId: StatusId | null, rating: number | null, progress: number | null, format: BookFormat | null, pages: number | null, audioSeconds: number | null, isbn13: string | null, dateAdded: string | null, finishedAt: string | null, listIds: Array<number>, };

export type Read = { id: number, startedAt: string | null, finishedAt: string | null, progress: number | null, progressPages: number | null, progressSeconds: number | null, editionId: number | null, };

export type Edition = { id: number, title: string | null, format: string | null, pages: number | null, audioSeconds: number | null, isbn13: string | null, isbn10: string | null, asin: string | null, };

export type LinkedItem = { source: string, itemId: string, title: string, method: string, };

export type BookList = { listId: number, listBookId: number, name: string, };

export type BookDetail = { subtitle: string | null, edition: Edition | null, reads: Array<Read>, lists: Array<BookList>, linked: Array<LinkedItem>, userBookId: number | null, bookId: number, title: string, authors: Array<string>, coverUrl: string | null, statusId: StatusId | null, rating: number | null, progress: number | null, format: BookFormat | null, pages: number | null, audioSeconds: number | null, isbn13: string | null, dateAdded: string | null, finishedAt: string | null, listIds: Array<number>, };

export type SourceKind = "audiobookshelf" | "komga" | "kavita" | "kosync" | "revenge" | "kobo" | "koreader";

/**
 * A reading server as the settings page edits it. `secret` is write-only: it is accepted when the
 * user types a new one and never sent back (`hasSecret` tells whether one is stored).
 */
export type SourceSettings = { kind: SourceKind, name: string, url: string, username: string | null, library: Array<string>, hasSecret: boolean, secret?: string, };

export type Direction = "to_hardcover" | "from_hardcover" | "bidirectional";

export type NotificationSettings = { finished: boolean, failures: boolean, reconnect: boolean, };

export type Settings = { interval: string, direction: Direction, regressionGuard: boolean, currentlyReadingThreshold: number, syncRatings: boolean, overwriteRatings: boolean, notifications: NotificationSettings, startAtLogin: boolean, tokenStore: TokenStore, sources: Array<SourceSettings>, };

export type TestSourceResult = { ok: boolean, message: string, items: number, };

export type DisconnectResult = { revoked: boolean, message: string, };

/**
 * Payload of the `connect-result` event.
 */
export type ConnectResult = { ok: boolean, message: string, };

export type ExportSelection = { statusIds: Array<number>, listIds: Array<number>, bookIds: Array<number>, all: boolean, };

export type ExportFormat = "csv" | "json";

export type ExportResult = { rows: number, path: string, };
