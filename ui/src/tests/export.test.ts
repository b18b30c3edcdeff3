import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import ExportDialog from '../lib/components/ExportDialog.svelte';
import { currentShelf, listenToEvents, selection, shelves } from '../lib/stores';
import { SHELVES, callsTo, installBackend } from './backend';

describe('export', () => {
  it('exports the selected books and shows where the user chose to save them', async () => {
    let finish: (v: unknown) => void = () => {};
    const calls = installBackend({
      export_books: () => new Promise((r) => (finish = r)),
    });
    const stop = await listenToEvents();
    currentShelf.set({ kind: 'status', id: 3, name: 'Read' });
    selection.set(new Set([5, 9, 12]));
    const user = userEvent.setup();
    render(ExportDialog, { onclose: () => {} });
    expect((screen.getByRole('radio', { name: 'Selected books (3)' }) as HTMLInputElement).checked, 'with a selection, the selection is the default').toBe(true);
    await user.click(screen.getByRole('button', { name: 'Export…' }));

    await emit('export-progress', { done: 1, total: 4 });
    const bar = await screen.findByRole('progressbar', { name: 'Export progress' });
    await screen.findByText('1 of 4');
    expect(bar.getAttribute('aria-valuenow'), 'export-progress events feed the bar').toBe('25');

    finish({ rows: 3, path: '/home/me/books.csv' });
    expect(await screen.findByText(/Exported 3 books to/), 'the result says how many rows and where').toBeTruthy();
    expect(await screen.findByText('/home/me/books.csv'), 'the result names the file chosen in the save dialog').toBeTruthy();
    expect(callsTo(calls, 'export_books').map((c) => c.args), 'export_books gets the selection and the format, never a path').toEqual([
      { selection: { statusIds: [], listIds: [], bookIds: [5, 9, 12], all: false }, format: 'csv' },
    ]);
    stop();
  });

  it('exports the current list as JSON', async () => {
    const calls = installBackend({
      export_books: () => ({ rows: 42, path: '/tmp/fav.json' }),
    });
    currentShelf.set({ kind: 'list', id: 10, name: 'Favourites' });
    shelves.set(SHELVES);
    const user = userEvent.setup();
    render(ExportDialog, { onclose: () => {} });
    await user.click(screen.getByRole('radio', { name: /JSON/ }));
    await user.click(screen.getByRole('button', { name: 'Export…' }));
    await screen.findByText(/Exported 42 books/);
    expect(callsTo(calls, 'plugin:dialog|save'), 'the page opens no dialog of its own').toEqual([]);
    expect(callsTo(calls, 'export_books')[0]?.args, 'a list export sends its list id').toEqual({
      selection: { statusIds: [], listIds: [10], bookIds: [], all: false },
      format: 'json',
    });
  });

  it('does nothing when the save dialog is cancelled', async () => {
    const calls = installBackend({ export_books: () => null });
    currentShelf.set({ kind: 'status', id: 1, name: 'Want to Read' });
    const user = userEvent.setup();
    render(ExportDialog, { onclose: () => {} });
    await user.click(screen.getByRole('radio', { name: /Everything/ }));
    await user.click(screen.getByRole('button', { name: 'Export…' }));
    expect(await screen.findByRole('button', { name: 'Export…' }), 'after a cancel the dialog can export again').toBeTruthy();
    expect(callsTo(calls, 'export_books'), 'one export was asked for').toHaveLength(1);
    expect(screen.queryByText(/Exported/), 'a cancelled save dialog exports nothing and says no "Exported"').toBeNull();
  });
});
