// App-wide state. Plain svelte/store so it can be read from .ts modules and tests alike.
import { derived, get, writable } from 'svelte/store';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { api, toIpcError } from './api';
import { clearCoverCache } from './covers';
import { STATUS_NAMES, type AppStatus, type BookRow, type ConnectResult, type IpcError, type Progress, type RunSummary, type Shelves, type ShelfKind, type SyncProgress } from './types';

export type View = 'books' | 'sync' | 'settings' | 'attention' | 'stats';

export interface ShelfRef {
  kind: ShelfKind;
  id: number;
  name: string;
}

export interface Toast {
  id: number;
  tone: 'info' | 'error' | 'success';
  text: string;
}

export const appStatus = writable<AppStatus | null>(null);
export const shelves = writable<Shelves | null>(null);
export const currentShelf = writable<ShelfRef | null>(null);
export const view = writable<View>('books');
export const detailBookId = writable<number | null>(null);
/** Set when a command answered `reconnect_needed` or the status says so. */
export const reconnectBanner = writable<string | null>(null);
/** Set when a command answered `offline`; cleared by the next successful status. */
export const offlineByError = writable(false);
/** Set when a command answered `not_connected`: Settings opens on the connect panel. */
export const connectPanelWanted = writable(false);
/** Settings has changes not saved yet: leaving it asks first (see `navigate`). */
export const unsavedChanges = writable(false);
/** Where the user asked to go while Settings had unsaved changes; Settings asks, then goes. */
export const pendingLeave = writable<{ view: View; then?: () => void } | null>(null);

/** Go to `v` (and run `then`, e.g. pick a shelf), unless that leaves unsaved settings: then
 * Settings asks first. */
export function navigate(v: View, then?: () => void): void {
  if (get(view) === 'settings' && v !== 'settings' && get(unsavedChanges)) {
    pendingLeave.set({ view: v, then });
    return;
  }
  view.set(v);
  then?.();
}

/** A source the Sync view asked Settings to open for editing (by name). */
export const editSourceWanted = writable<string | null>(null);
export const syncProgress = writable<SyncProgress | null>(null);
export const exportProgress = writable<Progress | null>(null);
export const lastSyncFinished = writable<RunSummary | null>(null);
export const lastConnectResult = writable<ConnectResult | null>(null);
export const toasts = writable<Toast[]>([]);
/** Books the user picked in the list (for export). */
export const selection = writable<Set<number>>(new Set());
export const exportOpen = writable(false);
/** The latest row a command returned (set_status, set_rating): lists patch themselves with it. */
export const bookPatched = writable<BookRow | null>(null);
/** Bumped when a background refresh changed the library: the shown shelf reloads in place. */
export const libraryVersion = writable(0);

export const offline = derived(
  [appStatus, shelves, offlineByError],
  ([$s, $sh, $e]) => Boolean($s?.offline || $sh?.offline || $e),
);

/** Back to a fresh start (tests, and after disconnecting). */
export function resetState(): void {
  appStatus.set(null);
  shelves.set(null);
  currentShelf.set(null);
  view.set('books');
  detailBookId.set(null);
  reconnectBanner.set(null);
  offlineByError.set(false);
  connectPanelWanted.set(false);
  syncProgress.set(null);
  exportProgress.set(null);
  lastSyncFinished.set(null);
  lastConnectResult.set(null);
  toasts.set([]);
  selection.set(new Set());
  exportOpen.set(false);
  bookPatched.set(null);
  libraryVersion.set(0);
}

let toastSeq = 0;
export function toast(text: string, tone: Toast['tone'] = 'info', ttlMs = 6000): void {
  const id = ++toastSeq;
  toasts.update((t) => [...t, { id, tone, text }]);
  if (ttlMs > 0) setTimeout(() => dismissToast(id), ttlMs);
}
export function dismissToast(id: number): void {
  toasts.update((t) => t.filter((x) => x.id !== id));
}

/**
 * The one place command failures are turned into UI: by code, never by message text.
 * Returns the normalised error so callers can still show it inline.
 */
export function reportError(e: unknown): IpcError {
  const err = toIpcError(e);
  switch (err.code) {
    case 'not_connected':
      connectPanelWanted.set(true);
      view.set('settings');
      break;
    case 'reconnect_needed':
      reconnectBanner.set(err.message || 'Hardcover needs you to sign in again.');
      break;
    case 'offline':
      offlineByError.set(true);
      break;
    case 'rate_limited':
      toast('Hardcover asked us to slow down. We will try again shortly.', 'info');
      break;
    case 'busy':
      toast('Already working on that — try again in a moment.', 'info');
      break;
    case 'invalid_input':
    case 'not_found':
    case 'hardcover_error':
    case 'source_error':
    default:
      toast(err.message || 'Something went wrong.', 'error');
  }
  return err;
}

export function applyStatus(s: AppStatus): void {
  // Just connected (from the window, the tray or a token): the shelves shown were the empty,
  // signed-out ones; load the library now rather than at the next sync.
  const justConnected = get(appStatus)?.connected === false && s.connected;
  appStatus.set(s);
  if (justConnected) {
    // What the user connected for is their books: show what they are reading now. Settings with
    // unsaved changes stays put rather than greet the new connection with a leave prompt.
    if (!(get(view) === 'settings' && get(unsavedChanges))) {
      view.set('books');
      currentShelf.set({ kind: 'status', id: 2, name: STATUS_NAMES[2] });
    }
    void loadShelves();
    clearCoverCache();
  }
  offlineByError.set(false);
  reconnectBanner.set(s.reconnectNeeded ? (s.reconnectReason ?? 'Hardcover needs you to sign in again.') : null);
  if (s.connected) connectPanelWanted.set(false);
  if (s.sync.progress) syncProgress.set(s.sync.progress);
}

export async function loadStatus(): Promise<void> {
  try {
    applyStatus(await api.getStatus());
  } catch (e) {
    reportError(e);
  }
}

/**
 * Show new shelves. When the library was imported since the shelves shown before (or `changed`
 * says so), the open shelf reloads its rows too: a shelf opened while the first import was still
 * running listed nothing, and must not keep saying "Nothing on this shelf" beside its count.
 */
function showShelves(s: Shelves, changed = false): void {
  const before = get(shelves);
  shelves.set(s);
  if (changed || (before !== null && before.updatedAt !== s.updatedAt)) {
    libraryVersion.update((n) => n + 1);
    clearCoverCache();
  }
}

/** The rows of the shelf a window opens on, asked for as the page's script starts (~100 ms before
 *  the list is mounted and could ask): taken once, by the list's first load of that shelf. */
let openingRows: { kind: ShelfKind; id: number; rows: Promise<BookRow[]> } | null = null;

export function prefetchFirstShelf(): void {
  const rows = api.listBooks('status', 2);
  // Not lost: the list that takes it reports a failure; one nobody takes has nobody to tell.
  rows.catch(() => {});
  openingRows = { kind: 'status', id: 2, rows };
}

/** The prefetched rows if they are `kind`/`id`'s; the prefetch is given up either way. */
export function takeOpeningRows(kind: ShelfKind, id: number): Promise<BookRow[]> | null {
  const taken = openingRows;
  openingRows = null;
  return taken && taken.kind === kind && taken.id === id ? taken.rows : null;
}

/** The shelf a window opens on: Currently Reading, chosen before the shelves are counted so its
 *  rows load alongside them rather than after (the wait between opening and the first rows). */
export function openFirstShelf(): void {
  if (!get(currentShelf)) currentShelf.set({ kind: 'status', id: 2, name: STATUS_NAMES[2] });
}

export async function loadShelves(refresh = false): Promise<void> {
  try {
    const s = refresh ? await api.refreshLibrary() : await api.listShelves();
    showShelves(s);
    if (!get(currentShelf)) {
      const first = s.statuses.find((x) => x.id === 2) ?? s.statuses[0];
      if (first) currentShelf.set({ kind: first.kind, id: first.id, name: first.name });
    }
  } catch (e) {
    reportError(e);
  }
}

/** Subscribes to the app's events; returns one function that unsubscribes them all. */
export async function listenToEvents(): Promise<() => void> {
  const offs: UnlistenFn[] = await Promise.all([
    listen<AppStatus>('status-changed', (ev) => applyStatus(ev.payload)),
    listen<SyncProgress>('sync-progress', (ev) => syncProgress.set(ev.payload)),
    listen<RunSummary>('sync-finished', (ev) => {
      syncProgress.set(null);
      lastSyncFinished.set(ev.payload);
      const s = ev.payload;
      toast(`Sync finished: ${s.sentence}`, s.errors > 0 ? 'error' : 'success');
      void loadShelves();
    }),
    listen<ConnectResult>('connect-result', (ev) => {
      lastConnectResult.set(ev.payload);
      toast(ev.payload.message, ev.payload.ok ? 'success' : 'error');
      void loadStatus();
    }),
    listen<Progress>('export-progress', (ev) => exportProgress.set(ev.payload)),
    listen<Shelves>('library-changed', (ev) => showShelves(ev.payload, true)),
  ]);
  return () =>
    offs.forEach((off) => {
      // Unlisten returns a promise; a window being torn down may already have lost its bridge.
      try {
        void Promise.resolve(off()).catch(() => {});
      } catch {
        // Same: nothing left to unsubscribe from.
      }
    });
}
