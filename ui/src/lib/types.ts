// TypeScript view of the IPC contract (docs: brief IPC.md). Field names are camelCase on this side.

export type StatusId = 1 | 2 | 3 | 4 | 5 | 6;

export const STATUS_NAMES: Record<StatusId, string> = {
  1: 'Want to Read',
  2: 'Currently Reading',
  3: 'Read',
  4: 'Paused',
  5: 'Did Not Finish',
  6: 'Ignored',
};
export const STATUS_IDS: StatusId[] = [1, 2, 3, 4, 5, 6];

export type ErrorCode =
  | 'not_connected'
  | 'reconnect_needed'
  | 'offline'
  | 'rate_limited'
  | 'invalid_input'
  | 'not_found'
  | 'hardcover_error'
  | 'source_error'
  | 'busy'
  | 'internal';

export interface IpcError {
  code: ErrorCode | string;
  message: string;
}

export interface AppStatus {
  connected: boolean;
  username: string | null;
  userId: number | null;
  tokenStore: 'keyring' | 'file';
  reconnectNeeded: boolean;
  reconnectReason: string | null;
  sync: SyncStatus;
  offline: boolean;
  demo: boolean;
}

export interface SyncStatus {
  state: 'idle' | 'syncing' | 'paused' | 'error';
  lastRunAt: string | null;
  lastSummary: RunSummary | null;
  progress: Progress | null;
  nextRunAt: string | null;
}

export interface Progress {
  done: number;
  total: number;
}

export interface RunSummary {
  runId: number;
  startedAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  added: number;
  progressUpdated: number;
  finished: number;
  rated: number;
  writtenBack: number;
  skipped: number;
  unmatched: number;
  errors: number;
  hardcoverRequests: number;
}

export interface RunItem {
  source: string;
  id: string;
  title: string;
  action: string;
  result: string;
  reason: string | null;
}

export type ShelfKind = 'status' | 'list';

export interface ShelfCount {
  kind: ShelfKind;
  id: number;
  name: string;
  count: number;
}

export interface Shelves {
  statuses: ShelfCount[];
  lists: ShelfCount[];
  updatedAt: string | null;
  offline: boolean;
}

export type BookFormat = 'audio' | 'ebook' | 'physical' | 'comic';

export interface BookRow {
  userBookId: number | null;
  bookId: number;
  title: string;
  authors: string[];
  coverUrl: string | null;
  statusId: StatusId | null;
  rating: number | null;
  progress: number | null;
  format: BookFormat | null;
  pages: number | null;
  audioSeconds: number | null;
  isbn13: string | null;
  dateAdded: string | null;
  finishedAt: string | null;
  listIds: number[];
}

export interface Read {
  id: number;
  startedAt: string | null;
  finishedAt: string | null;
  progress: number | null;
  progressPages: number | null;
  progressSeconds: number | null;
  editionId: number | null;
}

export interface Edition {
  id: number;
  title: string | null;
  format: string | null;
  pages: number | null;
  audioSeconds: number | null;
  isbn13: string | null;
  isbn10: string | null;
  asin: string | null;
}

export interface LinkedItem {
  source: string;
  itemId: string;
  title: string;
  method: string;
}

export interface BookDetail extends BookRow {
  subtitle: string | null;
  edition: Edition | null;
  reads: Read[];
  lists: { listId: number; listBookId: number; name: string }[];
  linked: LinkedItem[];
}

export interface SearchHit {
  bookId: number;
  title: string;
  authors: string[];
  year: number | null;
  coverUrl: string | null;
}

export interface UnmatchedItem {
  source: string;
  itemId: string;
  title: string;
  authors: string[];
  candidates: SearchHit[];
}

export interface PlanAction {
  source: string;
  itemId: string;
  title: string;
  action: string;
  detail: string;
}

export type SourceKind = 'audiobookshelf' | 'komga' | 'kavita' | 'kosync' | 'revenge';

export interface SourceSettings {
  kind: SourceKind;
  name: string;
  url: string;
  username: string | null;
  library: string[];
  hasSecret: boolean;
  /** Write-only: set only when the user typed a new secret. */
  secret?: string;
}

export type Direction = 'to_hardcover' | 'from_hardcover' | 'bidirectional';

export interface Settings {
  interval: string;
  direction: Direction;
  regressionGuard: boolean;
  currentlyReadingThreshold: number;
  syncRatings: boolean;
  overwriteRatings: boolean;
  notifications: { finished: boolean; failures: boolean; reconnect: boolean };
  startAtLogin: boolean;
  tokenStore: 'keyring' | 'file';
  sources: SourceSettings[];
}

export interface ExportSelection {
  statusIds: number[];
  listIds: number[];
  bookIds: number[];
  all: boolean;
}

export type ExportFormat = 'csv' | 'json';

export interface TestSourceResult {
  ok: boolean;
  message: string;
  items: number;
}

export interface DisconnectResult {
  revoked: boolean;
  message: string;
}

export interface ExportResult {
  rows: number;
  path: string;
}

export interface ConnectResult {
  ok: boolean;
  message: string;
}
