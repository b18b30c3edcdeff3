import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import BookDetail from '../lib/components/BookDetail.svelte';
import { bookPatched, shelves } from '../lib/stores';
import type { BookDetail as Detail, Edition } from '../lib/types';
import { SHELVES, STATUS, callsTo, installBackend } from './backend';

const DETAIL: Detail = {
  userBookId: 501,
  bookId: 77,
  title: 'Piranesi',
  subtitle: null,
  authors: ['Susanna Clarke'],
  coverUrl: null,
  statusId: 2,
  rating: null,
  progress: 42,
  format: 'audio',
  pages: null,
  audioSeconds: 29400,
  isbn13: null,
  dateAdded: '2026-10-01',
  finishedAt: null,
  lastActivity: '2026-11-01',
  listIds: [10],
  edition: { id: 9001, title: 'Piranesi (Unabridged)', format: 'audio', pages: null, audioSeconds: 29400, isbn13: null, isbn10: null, asin: 'B08ABC' },
  reads: [{ id: 1, startedAt: '2026-11-01', finishedAt: null, progress: 42, progressPages: null, progressSeconds: 12348, editionId: 9001 }],
  lists: [{ listId: 10, listBookId: 3, name: 'Favourites' }],
  linked: [{ source: 'Home ABS', itemId: 'li_1', title: 'Piranesi', method: 'asin' }],
  hardcoverUrl: 'https://hardcover.app/books/piranesi',
};

const row = (over: Partial<Detail> = {}) => {
  const { subtitle: _s, edition: _e, reads: _r, lists: _l, linked: _k, hardcoverUrl: _u, ...r } = { ...DETAIL, ...over };
  return r;
};

function backend(extra: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return installBackend({
    book_detail: () => DETAIL,
    list_shelves: () => SHELVES,
    set_rating: (a) => row({ rating: a.rating as number }),
    set_status: (a) => row({ statusId: a.statusId as 1 }),
    book_highlights: () => [],
    ...extra,
  });
}

describe('book detail', () => {
  it('shows the highlights sent to the reading journal, notes included', async () => {
    const calls = backend({
      book_highlights: () => [
        { source: 'kobo', text: 'A sentence worth keeping.', note: 'Why it matters', chapter: 'Chapter 3', madeAt: '2026-11-03T20:01:02Z', journalId: 5, removed: false },
        { source: 'kobo', text: 'Removed on the device.', note: null, chapter: null, madeAt: null, journalId: 6, removed: true },
      ],
    });
    render(BookDetail, { bookId: 77, onclose: () => {} });
    const section = await screen.findByTestId('highlights');
    await within(section).findByText('A sentence worth keeping.');
    expect(within(section).getByText('Why it matters'), 'a highlight shows its note').toBeTruthy();
    expect(within(section).getAllByTestId('highlight'), 'one entry per highlight').toHaveLength(2);
    expect(within(section).getByText('removed on the device'), 'a highlight gone from the device is marked, not hidden').toBeTruthy();
    expect(callsTo(calls, 'book_highlights')[0]?.args, 'the highlights of the open book are asked for').toEqual({ bookId: 77 });
  });

  it("Don't send highlights keeps the linked item's highlights back", async () => {
    const calls = backend({ set_item_highlights: () => null });
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.click(await screen.findByRole('button', { name: "Don't send highlights" }));
    expect(callsTo(calls, 'set_item_highlights')[0]?.args, 'only the highlights are held back').toEqual({
      source: 'Home ABS',
      itemId: 'li_1',
      send: false,
    });
  });

  it('Never sync this book excludes the linked item', async () => {
    const calls = backend({ set_item_excluded: () => null });
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.click(await screen.findByRole('button', { name: 'Never sync this book' }));
    expect(callsTo(calls, 'set_item_excluded')[0]?.args, 'the linked item is excluded').toEqual({
      source: 'Home ABS',
      itemId: 'li_1',
      excluded: true,
    });
  });

  it('shows edition as duration for an audiobook, progress and reads', async () => {
    backend();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await screen.findByRole('heading', { name: 'Piranesi' });
    expect(screen.getByText(/Audiobook · 8 h 10 min/), 'an audio edition is described by its duration').toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Reading progress' }).getAttribute('aria-valuenow'), 'progress bar shows 42%').toBe('42');
    expect(screen.getByRole('cell', { name: 'in progress' }), 'an open read says it is in progress').toBeTruthy();
  });

  it('Open on Hardcover asks the app to open the book by its id only', async () => {
    const calls = backend({ open_on_hardcover: () => null });
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.click(await screen.findByRole('button', { name: 'Open on Hardcover ↗' }));
    expect(callsTo(calls, 'open_on_hardcover').map((c) => c.args), 'the page sends the id; the app makes the address').toEqual([{ bookId: 77 }]);
  });

  it('a book Hardcover gave no page has no Open on Hardcover', async () => {
    backend({ book_detail: () => ({ ...DETAIL, hardcoverUrl: null }) });
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await screen.findByRole('heading', { name: 'Piranesi' });
    expect(screen.queryByRole('button', { name: /Open on Hardcover/ }), 'no link that leads nowhere').toBeNull();
  });

  it('clicking the left half of the fourth star sends set_rating 3.5', async () => {
    const calls = backend();
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.click(await screen.findByRole('button', { name: 'Rate 3.5 stars' }));
    await screen.findByRole('group', { name: 'Rating: 3.5 of 5 stars' });
    expect(callsTo(calls, 'set_rating').map((c) => c.args), 'half-star ratings are sent as 3.5').toEqual([{ bookId: 77, rating: 3.5 }]);
    expect(get(bookPatched)?.rating, 'the list is told about the new rating').toBe(3.5);
  });

  it('Clear rating sends null', async () => {
    const calls = backend({ book_detail: () => ({ ...DETAIL, rating: 4 }), set_rating: () => row({ rating: null }) });
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.click(await screen.findByRole('button', { name: 'Clear rating' }));
    expect(callsTo(calls, 'set_rating')[0]?.args, 'clearing a rating sends null, not 0').toEqual({ bookId: 77, rating: null });
  });

  it('moving the book to another shelf sends set_status', async () => {
    const calls = backend();
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Shelf (reading status)' }), 'Paused');
    expect(callsTo(calls, 'set_status').map((c) => c.args), 'choosing Paused sends status 4').toEqual([{ bookId: 77, statusId: 4 }]);
  });

  it('adds to and removes from lists', async () => {
    shelves.set(SHELVES);
    const calls = backend({ add_to_list: () => null, remove_from_list: () => null });
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    const fav = await screen.findByRole('checkbox', { name: 'Favourites' });
    expect((fav as HTMLInputElement).checked, 'the book is on Favourites already').toBe(true);
    await user.click(fav);
    await user.click(screen.getByRole('checkbox', { name: 'Book club' }));
    expect(callsTo(calls, 'remove_from_list')[0]?.args, 'unticking removes from that list').toEqual({ bookId: 77, listId: 10 });
    expect(callsTo(calls, 'add_to_list')[0]?.args, 'ticking adds to that list').toEqual({ bookId: 77, listId: 11 });
  });

  it('links the source item to another edition', async () => {
    const editions: Edition[] = [
      { id: 1, title: 'Piranesi', format: 'physical', pages: 272, audioSeconds: null, isbn13: '9781635575637', isbn10: null, asin: null },
      { id: 2, title: 'Piranesi (Unabridged)', format: 'audio', pages: null, audioSeconds: 29400, isbn13: null, isbn10: null, asin: 'B08' },
    ];
    const calls = backend({
      search_books: () => [{ bookId: 78, title: 'Piranesi (Dramatized)', authors: ['Susanna Clarke'], year: 2021, coverUrl: null }],
      book_editions: () => editions,
      link_item: () => null,
    });
    const user = userEvent.setup();
    render(BookDetail, { bookId: 77, onclose: () => {} });
    await user.click(await screen.findByRole('button', { name: 'Link to another book/edition…' }));
    const picker = screen.getByRole('group', { name: /Link Piranesi/ });
    await user.click(within(picker).getByRole('button', { name: 'Search' }));
    await user.click(await within(picker).findByRole('button', { name: /Piranesi \(Dramatized\)/ }));
    await user.click(await within(picker).findByRole('radio', { name: /Unabridged/ }));
    await user.click(within(picker).getByRole('button', { name: /Link to/ }));
    expect(callsTo(calls, 'search_books')[0]?.args, 'the search starts from the item title').toEqual({ query: 'Piranesi' });
    expect(callsTo(calls, 'link_item')[0]?.args, 'the chosen book and edition are linked').toEqual({
      source: 'Home ABS',
      itemId: 'li_1',
      bookId: 78,
      editionId: 2,
    });
  });
});

describe('keyboard', () => {
  it('Enter opens the detail and Esc closes it', async () => {
    installBackend({
      get_status: () => STATUS,
      list_shelves: () => SHELVES,
      list_books: () => [row()],
      book_detail: () => DETAIL,
    });
    const user = userEvent.setup();
    render(App);
    const list = await screen.findByRole('listbox');
    await within(list).findByRole('option');
    list.focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('dialog', { name: 'Piranesi' }), 'Enter opens the book').toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog'), 'Esc closes the book').toBeNull();
  });
});

describe('book detail over the list', () => {
  it('moving the open book to Read takes it off Currently Reading', async () => {
    const other = { ...row({ bookId: 78, title: 'Jonathan Strange' }) };
    let status = 2;
    installBackend({
      get_status: () => STATUS,
      list_shelves: () => SHELVES,
      list_books: () => (status === 2 ? [row(), other] : [other]),
      book_detail: () => ({ ...DETAIL, statusId: status }),
      set_status: (a) => {
        status = a.statusId as number;
        return row({ statusId: a.statusId as 1 });
      },
    });
    const user = userEvent.setup();
    render(App);
    const list = await screen.findByRole('listbox');
    await user.click(await within(list).findByText('Piranesi'));
    await screen.findByRole('heading', { name: 'Piranesi', level: 1 });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Shelf (reading status)' }), 'Read');
    await vi.waitFor(() =>
      expect(
        within(screen.getByRole('listbox')).queryByText('Piranesi'),
        'a book moved to Read must leave the Currently Reading list on screen',
      ).toBeNull(),
    );
  });
});
