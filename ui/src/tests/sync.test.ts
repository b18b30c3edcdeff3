import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import SyncView from '../lib/components/SyncView.svelte';
import { appStatus, listenToEvents } from '../lib/stores';
import type { RunSummary, UnmatchedItem } from '../lib/types';
import { STATUS, callsTo, installBackend } from './backend';

const RUN: RunSummary = {
  runId: 7,
  startedAt: '2026-11-25T08:00:00Z',
  finishedAt: '2026-11-25T08:01:00Z',
  dryRun: false,
  added: 1,
  progressUpdated: 4,
  finished: 1,
  rated: 0,
  writtenBack: 0,
  skipped: 9,
  unmatched: 1,
  errors: 0,
  hardcoverRequests: 12,
  sentence: '4 books updated, 1 finished: Dune, 1 added',
};

const UNMATCHED: UnmatchedItem[] = [
  {
    source: 'Home ABS',
    itemId: 'li_42',
    title: 'The Glass Cartographer',
    authors: ['Ada Lindqvist'],
    candidates: [
      { bookId: 300, title: 'The Glass Cartographer', authors: ['Ada Lindqvist'], year: 2019, coverUrl: null },
      { bookId: 301, title: 'Glass Cartography', authors: ['A. Lindqvist'], year: 2003, coverUrl: null },
    ],
  },
];

describe('sync view', () => {
  it('Link… on an unmatched item sends link_item with the picked candidate', async () => {
    const calls = installBackend({
      sync_runs: () => [RUN],
      unmatched_items: () => UNMATCHED,
      book_editions: () => [],
      link_item: () => null,
    });
    const user = userEvent.setup();
    render(SyncView);
    await user.click(await screen.findByRole('button', { name: 'Link The Glass Cartographer…' }));
    const picker = screen.getByRole('group', { name: /Link The Glass Cartographer/ });
    await user.click(within(picker).getByRole('button', { name: /^The Glass Cartographer/ }));
    await within(picker).findByRole('radio', { name: /Keep my current edition/ });
    await user.click(within(picker).getByRole('button', { name: /Link to/ }));
    expect(callsTo(calls, 'link_item').map((c) => c.args), 'the matcher candidate the user picked is linked, edition left alone').toEqual([
      { source: 'Home ABS', itemId: 'li_42', bookId: 300, editionId: null },
    ]);
    expect(screen.queryByRole('button', { name: 'Link The Glass Cartographer…' }), 'a linked item leaves the unmatched list').toBeNull();
  });

  it('a real sync clears the preview taken before it', async () => {
    installBackend({
      sync_runs: () => [RUN],
      unmatched_items: () => [],
      sync_preview: () => ({
        sentence: '1 book to update',
        changes: [{ source: 'Home ABS', itemId: 'li_1', title: 'Dune', action: 'progress', detail: 'progress to 4:29' }],
        rest: '',
      }),
      sync_now: () => RUN,
    });
    const user = userEvent.setup();
    render(SyncView);
    await user.click(await screen.findByRole('button', { name: 'Preview' }));
    expect(await screen.findByText('Preview of the next sync')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    await vi.waitFor(() =>
      expect(screen.queryByText('Preview of the next sync'), 'a preview made before a sync no longer describes the next one').toBeNull(),
    );
  });

  it('shows per-book results with the reason each was skipped', async () => {
    const calls = installBackend({
      sync_runs: () => [RUN],
      unmatched_items: () => [],
      run_items: () => [
        { source: 'Home ABS', id: 'li_1', title: 'Piranesi', action: 'progress', result: 'skipped', reason: 'progress on Hardcover is ahead' },
      ],
    });
    const user = userEvent.setup();
    render(SyncView);
    await user.click(await screen.findByRole('button', { name: 'Details' }));
    expect(await screen.findByText('progress on Hardcover is ahead'), 'the skip reason is shown').toBeTruthy();
    expect(callsTo(calls, 'run_items')[0]?.args, 'details come from run_items for that run').toEqual({ runId: 7 });
  });

  it('Preview lists only what would change, in the book\'s units, and sums the rest', async () => {
    const calls = installBackend({
      sync_runs: () => [],
      unmatched_items: () => [],
      sync_preview: () => ({
        sentence: '1 book to finish: Paper Tide',
        changes: [{ source: 'Komga', itemId: 'b1', title: 'Paper Tide', action: 'finish', detail: 'mark Read, finished 2026-11-24' }],
        rest: '24 books already up to date',
      }),
    });
    const user = userEvent.setup();
    render(SyncView);
    await user.click(await screen.findByRole('button', { name: 'Preview' }));
    expect(await screen.findByText('mark Read, finished 2026-11-24'), 'the planned change is listed with its detail').toBeTruthy();
    expect(screen.getByText('Finish'), 'the action is named in words, not by its code').toBeTruthy();
    expect(screen.getAllByRole('row'), 'one header row and one row per change, no row per unchanged book').toHaveLength(2);
    expect(screen.getByTestId('preview-rest').textContent, 'the books that would not change are summed in one line').toBe('24 books already up to date');
    expect(screen.getByText(/nothing was changed/), 'a preview says it changed nothing').toBeTruthy();
    expect(callsTo(calls, 'sync_now'), 'a preview never starts a real sync').toEqual([]);
  });

  it('a preview with nothing to change says Nothing to do', async () => {
    installBackend({
      sync_runs: () => [],
      unmatched_items: () => [],
      sync_preview: () => ({ sentence: 'Nothing to do: all 25 books up to date', changes: [], rest: '25 books already up to date' }),
    });
    const user = userEvent.setup();
    render(SyncView);
    await user.click(await screen.findByRole('button', { name: 'Preview' }));
    expect((await screen.findByTestId('preview-sentence')).textContent, 'an up-to-date library gets one clear line').toBe('Nothing to do');
    expect(screen.queryByRole('table'), 'no table of unchanged books').toBeNull();
    expect(screen.getByTestId('preview-rest').textContent).toBe('25 books already up to date');
  });

  it('sync-progress and sync-finished events drive the progress bar', async () => {
    installBackend({ sync_runs: () => [], unmatched_items: () => [], list_shelves: () => null });
    appStatus.set(STATUS);
    const stop = await listenToEvents();
    render(SyncView);
    await emit('sync-progress', { phase: 'listing', done: 1, total: 2 });
    expect(await screen.findByText('Reading your servers (1 of 2)…'), 'listing counts servers, not books').toBeTruthy();
    await emit('sync-progress', { phase: 'updating', done: 3, total: 12 });
    const bar = await screen.findByRole('progressbar', { name: 'Sync progress: 3 of 12' });
    expect(bar.getAttribute('aria-valuenow'), 'three of twelve is 25%').toBe('25');
    expect(screen.getByText('Updating Hardcover: 3 of 12 items'), 'each phase says what it counts').toBeTruthy();
    await emit('sync-finished', RUN);
    await screen.findByRole('button', { name: 'Sync now' });
    expect(screen.queryByRole('progressbar'), 'the bar goes away when the run finishes').toBeNull();
    stop();
  });
});
