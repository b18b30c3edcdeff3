import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import { generateLibrary } from '../lib/mock-backend';
import App from '../App.svelte';
import { SHELVES, STATUS, callsTo, installBackend } from './backend';

describe('app events', () => {
  it('library-changed redraws the sidebar counts and the shown shelf in place', async () => {
    const [a, b] = generateLibrary(2).map((r) => ({ ...r, statusId: 2 as const }));
    let books = [a!];
    const calls = installBackend({ get_status: () => STATUS, list_shelves: () => SHELVES, list_books: () => books });
    render(App);
    await screen.findByText('1 book');
    books = [a!, b!];
    const statuses = SHELVES.statuses.map((s) => (s.id === 2 ? { ...s, count: s.count + 1 } : s));
    await emit('library-changed', { ...SHELVES, statuses });
    expect(await screen.findByText('2 books'), 'the shown shelf reloads when a background refresh changed it').toBeTruthy();
    const cr = statuses.find((s) => s.id === 2)!;
    await vi.waitFor(() =>
      expect(screen.getByTestId('count-status-2').textContent, 'the sidebar shows the refreshed counts').toBe(cr.count.toLocaleString()),
    );
    expect(callsTo(calls, 'list_shelves').length, 'the event carries the shelves: no extra request').toBe(1);
  });

  it('status-changed updates the account badge and the reconnect banner', async () => {
    installBackend({ get_status: () => STATUS, list_shelves: () => SHELVES, list_books: () => [] });
    render(App);
    expect(await screen.findByText('● @reader'), 'the connected account is shown').toBeTruthy();
    await emit('status-changed', { ...STATUS, reconnectNeeded: true, reconnectReason: 'Token revoked.' });
    expect((await screen.findByTestId('reconnect-banner')).textContent, 'a status event can raise the banner').toContain('Token revoked.');
    await emit('status-changed', { ...STATUS, offline: true });
    expect(await screen.findByTestId('offline-badge'), 'a status event can say we are offline').toBeTruthy();
    expect(screen.queryByTestId('reconnect-banner'), 'a status without reconnectNeeded clears the banner').toBeNull();
  });

  it('connecting loads the shelves at once, not at the next sync', async () => {
    let connected = false;
    const calls = installBackend({
      get_status: () => ({ ...STATUS, connected, username: connected ? 'reader' : null }),
      list_shelves: () => (connected ? SHELVES : { ...SHELVES, statuses: SHELVES.statuses.map((x) => ({ ...x, count: 0 })), lists: [] }),
      list_books: () => [],
    });
    render(App);
    await screen.findByTestId('count-status-2');
    const before = callsTo(calls, 'list_shelves').length;
    connected = true;
    await emit('status-changed', { ...STATUS, connected: true });
    const cr = SHELVES.statuses.find((x) => x.id === 2)!;
    await vi.waitFor(() =>
      expect(screen.getByTestId('count-status-2').textContent, 'the library appears as soon as the account is connected').toBe(cr.count.toLocaleString()),
    );
    expect(callsTo(calls, 'list_shelves').length, 'one more list_shelves, on connecting').toBe(before + 1);
  });

  it('connect-result is announced and refreshes the status', async () => {
    const calls = installBackend({ get_status: () => STATUS, list_shelves: () => SHELVES, list_books: () => [] });
    render(App);
    await screen.findByText('● @reader');
    const before = callsTo(calls, 'get_status').length;
    await emit('connect-result', { ok: false, message: 'You declined access on hardcover.app.' });
    expect(await screen.findByRole('alert'), 'a failed connect is announced as an alert').toBeTruthy();
    expect(screen.getByText('You declined access on hardcover.app.')).toBeTruthy();
    expect(callsTo(calls, 'get_status').length, 'the status is fetched again after a connect attempt').toBeGreaterThan(before);
  });

  it('Sync now calls sync_now and sync-finished refreshes the shelves', async () => {
    const calls = installBackend({
      get_status: () => STATUS,
      list_shelves: () => SHELVES,
      list_books: () => [],
      sync_runs: () => [],
      unmatched_items: () => [],
      sync_now: async () => {
        await emit('sync-finished', {
          runId: 1, startedAt: '2026-11-25T10:00:00Z', finishedAt: '2026-11-25T10:01:00Z', dryRun: false, added: 0,
          progressUpdated: 2, finished: 1, rated: 0, writtenBack: 0, skipped: 3, unmatched: 0, errors: 0, hardcoverRequests: 4, sentence: '2 books updated, 1 finished: Dune',
        });
        return null;
      },
    });
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByRole('button', { name: /^Sync$/ }));
    const shelvesBefore = callsTo(calls, 'list_shelves').length;
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));
    expect(await screen.findByText('Sync finished: 2 books updated, 1 finished: Dune'), 'the run is announced in its sentence').toBeTruthy();
    expect(callsTo(calls, 'sync_now').length, 'one click starts one sync').toBe(1);
    expect(callsTo(calls, 'list_shelves').length, 'counts are reloaded after a sync').toBeGreaterThan(shelvesBefore);
  });
});
