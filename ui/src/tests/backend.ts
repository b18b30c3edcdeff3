// Test double for the Tauri backend: mockIPC with per-command handlers, recording every call.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppStatus, Settings, Shelves } from '../lib/types';

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export type Handler = (args: Record<string, unknown>) => unknown;

export function installBackend(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  mockIPC(
    async (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const h = handlers[cmd];
      if (h) return h(args);
      if (cmd === 'cover_path') return null;
      // Read on every page (the device prompt): no device unless a test says otherwise.
      if (cmd === 'devices') return [];
      throw { code: 'internal', message: `test backend: no handler for ${cmd}` };
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export function callsTo(calls: Call[], cmd: string): Call[] {
  return calls.filter((c) => c.cmd === cmd);
}

export const STATUS: AppStatus = {
  connected: true,
  username: 'reader',
  userId: 1,
  tokenStore: 'keyring',
  reconnectNeeded: false,
  reconnectReason: null,
  sync: { state: 'idle', lastRunAt: null, lastSummary: null, progress: null, nextRunAt: null, sources: [] },
  offline: false,
  demo: false,
};

export const SHELVES: Shelves = {
  statuses: [
    { kind: 'status', id: 1, name: 'Want to Read', slug: 'want-to-read', count: 12 },
    { kind: 'status', id: 2, name: 'Currently Reading', slug: 'currently-reading', count: 3 },
    { kind: 'status', id: 3, name: 'Read', slug: 'read', count: 1204 },
    { kind: 'status', id: 4, name: 'Paused', slug: 'paused', count: 0 },
    { kind: 'status', id: 5, name: 'Did Not Finish', slug: 'did-not-finish', count: 7 },
    { kind: 'status', id: 6, name: 'Ignored', slug: 'ignored', count: 1 },
  ],
  lists: [
    { kind: 'list', id: 10, name: 'Favourites', slug: 'favourites', count: 42 },
    { kind: 'list', id: 11, name: 'Book club', slug: 'book-club', count: 5 },
  ],
  updatedAt: '2026-11-25T09:00:00Z',
  offline: false,
};

export const SETTINGS: Settings = {
  interval: '30m',
  direction: 'to_hardcover',
  regressionGuard: true,
  currentlyReadingThreshold: 0.02,
  syncRatings: false,
  overwriteRatings: false,
  notifications: { finished: true, failures: true, reconnect: true },
  startAtLogin: false,
  tokenStore: 'keyring',
  sources: [],
};
