// Generated from the core's view types (hardcover-sync, feature `ts`) by ts-rs: do not edit.
// Regenerate with `UPDATE_BINDINGS=1 cargo test -p hardcover-sync-desktop bindings`.

/** Hardcover's reading status ids. */
export type StatusId = 1 | 2 | 3 | 4 | 5 | 6;

/**
 * Stable codes, shared with `ui/` through the generated bindings. Adding one is a contract change.
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

export type SyncStatus = { state: SyncState, lastRunAt: string | null, lastSummary: RunSummary | null, progress: SyncProgress | null, nextRunAt: string | null, 
/**
 * Each reading server as the last syncs found it, failing ones first.
 */
sources: Array<SourceStatus>, };

/**
 * A reading server's health across syncs: ok, or failing since when and why.
 */
export type SourceStatus = { name: string, 
/**
 * When it started failing (RFC 3339); `null` while it works.
 */
failingSince: string | null, 
/**
 * Why it fails, in words naming what to fix.
 */
message: string | null, lastOkAt: string | null, };

/**
 * The stretch of the run `done`/`total` count in. Within one phase `done` only grows, up to
 * `total`; the next phase starts again from 0.
 */
export type SyncPhase = "listing" | "matching" | "updating";

/**
 * Payload of the window's `sync-progress` event (and the running sync's `SyncStatus.progress`).
 */
export type SyncProgress = { phase: SyncPhase, done: number, total: number, };

/**
 * Payload of the window's `export-progress` event.
 */
export type Progress = { done: number, total: number, };

/**
 * One run in the history (and the payload of the window's `sync-finished` event).
 */
export type RunSummary = { runId: number, startedAt: string, finishedAt: string | null, dryRun: boolean, added: number, progressUpdated: number, finished: number, rated: number, writtenBack: number, skipped: number, unmatched: number, errors: number, hardcoverRequests: number, 
/**
 * The run in one sentence: "3 books updated, 1 finished: Dune", "All 25 books up to date".
 */
sentence: string, };

/**
 * One item of a run, as the history's detail lists it.
 */
export type RunItem = { source: string, id: string, title: string, action: string, result: string, reason: string | null, };

/**
 * One line of a dry run's plan (the Sync view's preview): a change the next sync would make.
 */
export type PlanAction = { source: string, itemId: string, title: string, action: string, 
/**
 * What would be done, in the book's units ("mark Read, finished 2026-11-24").
 */
detail: string, };

/**
 * A dry run as the Sync view shows it: only what would change, the rest summed in one line.
 */
export type PlanPreview = { 
/**
 * The run in one sentence ("1 book to update", "Nothing to do: all 25 books up to date").
 */
sentence: string, changes: Array<PlanAction>, 
/**
 * Everything else, counted: "24 books already up to date, 1 below the Currently Reading
 * threshold". Empty when there is nothing else.
 */
rest: string, };

export type UnmatchedItem = { source: string, itemId: string, 
/**
 * The item's title on its server; for items matched before the store kept it, the title
 * the sync history last recorded, else the item id.
 */
title: string, 
/**
 * As the item's server lists them (empty for items matched before the store kept them,
 * until the weekly re-match).
 */
authors: Array<string>, 
/**
 * Best first.
 */
candidates: Array<SearchHit>, };

/**
 * One item the user excluded from syncs.
 */
export type ExcludedItem = { source: string, itemId: string, title: string | null, };

/**
 * A book Hardcover's search found (or a candidate match for a source item).
 */
export type SearchHit = { bookId: number, title: string, authors: Array<string>, year: number | null, coverUrl: string | null, };

/**
 * A shelf is a reading status or one of the user's lists.
 */
export type ShelfKind = "status" | "list";

/**
 * One shelf and how many books it holds.
 */
export type ShelfCount = { kind: ShelfKind, id: number, name: string, slug: string | null, count: number, };

/**
 * The shelf browser's sidebar (and `shelves --json`).
 */
export type Shelves = { statuses: Array<ShelfCount>, lists: Array<ShelfCount>, 
/**
 * When the cache was last brought up to date (RFC 3339), if ever.
 */
updatedAt: string | null, 
/**
 * True when Hardcover could not be reached and the cache was shown as it was.
 */
offline: boolean, };

/**
 * How a book on the shelf is read (its edition's format).
 */
export type BookFormat = "audio" | "ebook" | "physical" | "comic";

/**
 * One book in a shelf listing.
 */
export type BookRow = { userBookId: number | null, bookId: number, title: string, authors: Array<string>, coverUrl: string | null, statusId: StatusId | null, rating: number | null, 
/**
 * 0–100, from the latest read (100 once that read is finished).
 */
progress: number | null, 
/**
 * From the user's edition.
 */
format: BookFormat | null, pages: number | null, audioSeconds: number | null, isbn13: string | null, dateAdded: string | null, finishedAt: string | null, 
/**
 * The newest progress or read update (RFC 3339 or a date): what Currently Reading sorts by.
 */
lastActivity: string | null, listIds: Array<number>, };

/**
 * One "dates read" entry.
 */
export type Read = { id: number, startedAt: string | null, finishedAt: string | null, progress: number | null, progressPages: number | null, progressSeconds: number | null, editionId: number | null, };

/**
 * One edition of a book.
 */
export type Edition = { id: number, title: string | null, format: BookFormat | null, pages: number | null, audioSeconds: number | null, isbn13: string | null, isbn10: string | null, asin: string | null, };

/**
 * A reading-server item the sync matched to this book.
 */
export type LinkedItem = { source: string, itemId: string, title: string, method: string, };

/**
 * A list the book is on, with the row id Hardcover needs to take it off again.
 */
export type BookList = { listId: number, listBookId: number, name: string, };

/**
 * A [`BookRow`] plus everything the detail pane shows.
 */
export type BookDetail = { subtitle: string | null, edition: Edition | null, 
/**
 * Newest first.
 */
reads: Array<Read>, lists: Array<BookList>, linked: Array<LinkedItem>, 
/**
 * The book's page on hardcover.app, when Hardcover gave it a usable address.
 */
hardcoverUrl: string | null, userBookId: number | null, bookId: number, title: string, authors: Array<string>, coverUrl: string | null, statusId: StatusId | null, rating: number | null, 
/**
 * 0–100, from the latest read (100 once that read is finished).
 */
progress: number | null, 
/**
 * From the user's edition.
 */
format: BookFormat | null, pages: number | null, audioSeconds: number | null, isbn13: string | null, dateAdded: string | null, finishedAt: string | null, 
/**
 * The newest progress or read update (RFC 3339 or a date): what Currently Reading sorts by.
 */
lastActivity: string | null, listIds: Array<number>, };

/**
 * A book's highlight as the book detail shows it.
 */
export type HighlightView = { 
/**
 * The configured source it came from.
 */
source: string, text: string, note: string | null, chapter: string | null, 
/**
 * When it was made on the device (RFC 3339), when the device recorded it.
 */
madeAt: string | null, 
/**
 * Its entry in the Hardcover reading journal.
 */
journalId: number, 
/**
 * No longer on the device; the journal entry was kept.
 */
removed: boolean, };

/**
 * One known device, as Settings and the first-sync prompt show it.
 */
export type DeviceView = { id: string, name: string, 
/**
 * `kobo`, `koreader`.
 */
kinds: Array<string>, 
/**
 * Where it was last mounted.
 */
root: string, 
/**
 * RFC 3339.
 */
firstSeen: string, lastSeen: string, connected: boolean, 
/**
 * Books with reading on it, as the last sync read them.
 */
books: number | null, 
/**
 * The user confirmed its first sync: its reading is sent like any source's.
 */
confirmed: boolean, 
/**
 * Synced as soon as it is plugged in, without asking.
 */
alwaysSync: boolean, 
/**
 * The configured sources that read it (what is synced from it); filled in by the app.
 */
sources: Array<string>, };

export type SourceKind = "audiobookshelf" | "komga" | "kavita" | "kosync" | "revenge" | "kobo" | "koreader";

/**
 * A reading server as the settings page edits it. `secret` is write-only: it is accepted when the
 * user types a new one and never sent back (`hasSecret` tells whether one is stored).
 */
export type SourceSettings = { kind: SourceKind, name: string, url: string, username: string | null, 
/**
 * kosync: folders with the user's book files.
 */
library: Array<string>, 
/**
 * Kobo and KOReader: where the device is mounted, when fixed. `None` on save keeps the file's.
 */
path?: string, 
/**
 * Output only: whether a key or password is known (config or keyring). Ignored on save.
 */
hasSecret: boolean, 
/**
 * Input only: a new API key or password typed in the panel. Never serialized.
 */
secret?: string, };

export type Direction = "to_hardcover" | "from_hardcover" | "bidirectional";

export type NotificationSettings = { finished: boolean, failures: boolean, reconnect: boolean, };

/**
 * The settings page, as the window shows and sends it.
 */
export type Settings = { 
/**
 * Like `30m`, `1h` or `1h30m`; at least `1m`.
 */
interval: string, direction: Direction, regressionGuard: boolean, 
/**
 * 0 to 1.
 */
currentlyReadingThreshold: number, syncRatings: boolean, overwriteRatings: boolean, notifications: NotificationSettings, 
/**
 * Not in the config file: the desktop's login items are the truth, so the shell fills it in
 * (and applies it) itself.
 */
startAtLogin: boolean, tokenStore: TokenStore, sources: Array<SourceSettings>, 
/**
 * Output only: the private file a save put typed secrets in, when not the keyring. Ignored
 * on save.
 */
secretsFile?: string, };

/**
 * What the editor shows after a test. A failing source is an answer (`ok: false`), not an error.
 */
export type TestSourceResult = { ok: boolean, message: string, 
/**
 * Items with progress the source listed.
 */
items: number, };

export type DisconnectResult = { revoked: boolean, message: string, };

/**
 * Payload of the window's `connect-result` event.
 */
export type ConnectResult = { ok: boolean, message: string, };

/**
 * Which books to read out of the cache (and what the window asks to export). Empty selection with
 * `all: false` selects nothing.
 */
export type ExportSelection = { statusIds: Array<number>, listIds: Array<number>, bookIds: Array<number>, all: boolean, };

export type ExportFormat = "csv" | "json";

/**
 * What an export wrote, and where.
 */
export type ExportResult = { rows: number, path: string, };
