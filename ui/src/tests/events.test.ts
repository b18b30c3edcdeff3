import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { SHELVES, STATUS, callsTo, installBackend } from './backend';

describe('app events', () => {
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
          progressUpdated: 2, finished: 1, rated: 0, writtenBack: 0, skipped: 3, unmatched: 0, errors: 0, hardcoverRequests: 4,
        });
        return null;
      },
    });
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByRole('button', { name: /^Sync$/ }));
    const shelvesBefore = callsTo(calls, 'list_shelves').length;
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));
    expect(await screen.findByText(/Sync finished: 2 updated, 1 finished, 3 skipped/), 'the run summary is announced').toBeTruthy();
    expect(callsTo(calls, 'sync_now').length, 'one click starts one sync').toBe(1);
    expect(callsTo(calls, 'list_shelves').length, 'counts are reloaded after a sync').toBeGreaterThan(shelvesBefore);
  });
});
