// Typed wrappers over Tauri's invoke: one function per command of src-tauri/src/commands.
// Errors are normalised to IpcError so callers switch on `code`, never on message text.
import { invoke } from '@tauri-apps/api/core';
import type { PageSteps } from './bench';
import type {
  AppStatus,
  BookDetail,
  BookRow,
  DeviceView,
  DisconnectResult,
  Edition,
  ExcludedItem,
  ExportFormat,
  ExportResult,
  ExportSelection,
  HighlightView,
  IpcError,
  PlanPreview,
  RunItem,
  RunSummary,
  SearchHit,
  Settings,
  Shelves,
  ShelfKind,
  SourceSettings,
  StatusId,
  SyncStatus,
  TestSourceResult,
  UnmatchedItem,
} from './types';

export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as IpcError).code === 'string') {
    const err = e as IpcError;
    return { code: err.code, message: typeof err.message === 'string' ? err.message : '' };
  }
  // Anything else (a plain string from a plugin, a JS exception) is our bug or the shell's.
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message };
}

export function isIpcError(e: unknown): e is IpcError {
  return !!e && typeof e === 'object' && 'code' in e && 'message' in e;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

export const api = {
  getStatus: () => call<AppStatus>('get_status'),
  connectBrowser: () => call<AppStatus>('connect_browser'),
  cancelConnect: () => call<null>('cancel_connect'),
  connectToken: (token: string) => call<AppStatus>('connect_token', { token }),
  disconnect: () => call<DisconnectResult>('disconnect'),
  listShelves: () => call<Shelves>('list_shelves'),
  listBooks: (kind: ShelfKind, id: number) => call<BookRow[]>('list_books', { kind, id }),
  bookDetail: (bookId: number) => call<BookDetail>('book_detail', { bookId }),
  searchLibrary: (query: string) => call<BookRow[]>('search_library', { query }),
  // Only the id goes out: the app makes the address from its own copy of the book.
  openOnHardcover: (bookId: number) => call<null>('open_on_hardcover', { bookId }),
  setStatus: (bookId: number, statusId: StatusId) => call<BookRow>('set_status', { bookId, statusId }),
  setRating: (bookId: number, rating: number | null) => call<BookRow>('set_rating', { bookId, rating }),
  addToList: (bookId: number, listId: number) => call<null>('add_to_list', { bookId, listId }),
  removeFromList: (bookId: number, listId: number) => call<null>('remove_from_list', { bookId, listId }),
  refreshLibrary: () => call<Shelves>('refresh_library'),
  syncNow: () => call<RunSummary>('sync_now'),
  setPaused: (paused: boolean) => call<SyncStatus>('set_paused', { paused }),
  syncPreview: () => call<PlanPreview>('sync_preview'),
  syncRuns: (limit: number) => call<RunSummary[]>('sync_runs', { limit }),
  runItems: (runId: number) => call<RunItem[]>('run_items', { runId }),
  unmatchedItems: () => call<UnmatchedItem[]>('unmatched_items'),
  linkItem: (source: string, itemId: string, bookId: number, editionId: number | null) =>
    call<null>('link_item', { source, itemId, bookId, editionId }),
  unlinkItem: (source: string, itemId: string) => call<null>('unlink_item', { source, itemId }),
  setItemExcluded: (source: string, itemId: string, excluded: boolean) =>
    call<null>('set_item_excluded', { source, itemId, excluded }),
  excludedItems: () => call<ExcludedItem[]>('excluded_items'),
  setItemHighlights: (source: string, itemId: string, send: boolean) =>
    call<null>('set_item_highlights', { source, itemId, send }),
  bookHighlights: (bookId: number) => call<HighlightView[]>('book_highlights', { bookId }),
  devices: () => call<DeviceView[]>('devices'),
  confirmDevice: (id: string, always: boolean) => call<null>('confirm_device', { id, always }),
  forgetDevice: (id: string) => call<null>('forget_device', { id }),
  searchBooks: (query: string) => call<SearchHit[]>('search_books', { query }),
  bookEditions: (bookId: number) => call<Edition[]>('book_editions', { bookId }),
  getSettings: () => call<Settings>('get_settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  testSource: (source: SourceSettings) => call<TestSourceResult>('test_source', { source }),
  setAutostart: (enabled: boolean) => call<boolean>('set_autostart', { enabled }),
  openLogsFolder: () => call<null>('open_logs_folder'),
  reportFirstRows: (pageMs: number, steps: PageSteps) => call<null>('report_first_rows', { pageMs, ...steps }),
  /** Opens the native save dialog (in the window process) and exports there; null when cancelled. */
  exportBooks: (selection: ExportSelection, format: ExportFormat) =>
    call<ExportResult | null>('export_books', { selection, format }),
  coverPath: (bookId: number) => call<string | null>('cover_path', { bookId }),
};

export type Api = typeof api;
