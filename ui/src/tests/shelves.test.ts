import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import BookList from '../lib/components/BookList.svelte';
import { sortBooks } from '../lib/books';
import { generateLibrary } from '../lib/mock-backend';
import { bookPatched, currentShelf, detailBookId, prefetchFirstShelf, shelves, takeOpeningRows } from '../lib/stores';
import { SHELVES, STATUS, callsTo, installBackend } from './backend';

describe('sidebar', () => {
  it('shows every status and list with its count', async () => {
    installBackend({ get_status: () => STATUS, list_shelves: () => SHELVES, list_books: () => [] });
    render(App);
    const nav = await screen.findByRole('navigation', { name: 'Shelves and lists' });
    for (const s of [...SHELVES.statuses, ...SHELVES.lists]) {
      const name = `${s.name}, ${s.count} book${s.count === 1 ? '' : 's'}`;
      const btn = await within(nav).findByRole('button', { name });
      expect(btn.textContent, `the ${s.name} entry must show its count`).toContain(s.count.toLocaleString());
    }
    expect(within(nav).getAllByRole('button').length, 'six statuses + two lists + needs attention + stats + sync + settings + refresh').toBe(13);
  });

  it('takes the rows asked for at start instead of asking again, once', async () => {
    const calls = installBackend({ get_status: () => STATUS, list_shelves: () => SHELVES, list_books: () => [] });
    prefetchFirstShelf();
    render(App);
    await screen.findByRole('heading', { name: 'Currently Reading' });
    await new Promise((r) => setTimeout(r, 50));
    expect(callsTo(calls, 'list_books').length, 'the first shelf is read once, by the prefetch').toBe(1);
    expect(takeOpeningRows('status', 2), 'a prefetch is taken once').toBeNull();
  });

  it('opens Currently Reading first and loads it with list_books', async () => {
    const calls = installBackend({ get_status: () => STATUS, list_shelves: () => SHELVES, list_books: () => [] });
    render(App);
    await screen.findByRole('heading', { name: 'Currently Reading' });
    expect(callsTo(calls, 'list_books')[0]?.args, 'the first shelf shown is Currently Reading (status 2)').toEqual({ kind: 'status', id: 2 });
  });
});

describe('book list', () => {
  const big = generateLibrary(10_000);

  it('renders only a window of a 10,000-book shelf and search narrows it', async () => {
    installBackend({ list_books: () => big });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('10,000 books');

    const list = screen.getByRole('listbox');
    expect(list.classList.contains('viewport'), 'the list keeps its scroll-container class when callers add theirs').toBe(true);
    const rendered = within(list).getAllByRole('option').length;
    expect(rendered, 'a virtual list must not put all 10,000 rows in the DOM').toBeLessThan(60);
    expect(rendered, 'the first screenful must be rendered').toBeGreaterThan(5);

    await user.type(screen.getByRole('searchbox', { name: /search books/i }), 'lighthouse');
    const expected = big.filter((b) => b.title.toLowerCase().includes('lighthouse') || b.authors.some((a) => a.toLowerCase().includes('lighthouse')));
    await screen.findByText(`${expected.length.toLocaleString()} of 10,000`);
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.length, 'search results are windowed too').toBeLessThan(60);
    for (const o of options) expect(o.textContent?.toLowerCase(), 'every row shown must match the search').toContain('lighthouse');
  });

  it('a search across all shelves asks the app once and names each book\'s shelf', async () => {
    shelves.set(SHELVES);
    const onShelf = big.filter((b) => b.statusId === 3).slice(0, 5);
    const elsewhere = [
      { ...big[0]!, bookId: 90_001, title: 'Lighthouse Keeper', statusId: 1 as const, listIds: [10] },
      { ...big[0]!, bookId: 90_002, title: 'Lighthouse Diaries', statusId: 2 as const, listIds: [] },
    ];
    const calls = installBackend({ list_books: () => onShelf, search_library: () => elsewhere });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('5 books');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Search in' }), 'All shelves');
    await user.type(screen.getByRole('searchbox', { name: /search books/i }), 'lighthouse');
    await screen.findByText('2 on all shelves');
    expect(callsTo(calls, 'search_library').at(-1)?.args, 'the app is asked for what was typed').toEqual({ query: 'lighthouse' });
    expect(callsTo(calls, 'list_books').length, 'one query over the library, not a load of every shelf').toBe(1);
    const named = screen.getAllByTestId('row-shelf').map((e) => e.textContent);
    expect(named, 'each row names the shelf (and lists) the book is on').toEqual(['Currently Reading', 'Want to Read · Favourites']);
  });

  it('scrolling moves the window of rendered rows', async () => {
    installBackend({ list_books: () => big });
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('10,000 books');
    const list = screen.getByRole('listbox');
    list.scrollTop = 56 * 5000;
    await fireEvent.scroll(list);
    // Read opens sorted by date finished, newest first.
    const sorted = sortBooks(big, 'finishedAt', 'desc');
    const ids = within(list).getAllByRole('option').map((o) => o.id);
    expect(ids, 'row 5,000 is rendered after scrolling to it').toContain(`book-${sorted[5000]?.bookId}`);
    expect(ids, 'the first row is no longer in the DOM').not.toContain(`book-${sorted[0]?.bookId}`);
    expect(ids.length, 'still only a window of rows').toBeLessThan(60);
  });

  it('finds a book by ISBN', async () => {
    const target = big.find((b) => b.isbn13)!;
    installBackend({ list_books: () => big });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('10,000 books');
    await user.type(screen.getByRole('searchbox'), target.isbn13!);
    const options = await within(screen.getByRole('listbox')).findAllByRole('option');
    expect(options.map((o) => o.id), 'an ISBN search finds exactly that book').toContain(`book-${target.bookId}`);
  });

  it('filters by format', async () => {
    installBackend({ list_books: () => big.slice(0, 200) });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'list', id: 10, name: 'Favourites' } });
    await screen.findByText('200 books');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter by format' }), 'audio');
    const n = big.slice(0, 200).filter((b) => b.format === 'audio').length;
    expect(await screen.findByText(`${n} of 200`), 'the count reflects the format filter').toBeTruthy();
  });

  it('arrow keys move through rows and Enter opens the detail', async () => {
    const rows = big.slice(0, 50);
    installBackend({ list_books: () => rows });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('50 books');
    const list = screen.getByRole('listbox');
    list.focus();
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowUp}{ArrowDown}{ArrowDown}');
    const activeId = list.getAttribute('aria-activedescendant');
    const fourth = sortBooks(rows, 'finishedAt', 'desc')[3];
    expect(activeId, 'three rows down from the top is the fourth book finished, newest first').toBe(`book-${fourth?.bookId}`);
    await user.keyboard('{Enter}');
    expect(`book-${get(detailBookId)}`, 'Enter opens the active book').toBe(activeId);
  });

  it('a column header sorts by its column, and titles sort without "The" or "A"', async () => {
    const rows = big.slice(0, 3).map((b, i) => ({ ...b, title: ['The Zebra', 'A Moth', 'Lantern'][i]! }));
    installBackend({ list_books: () => rows });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'list', id: 10, name: 'Favourites' } });
    await screen.findByText('3 books');
    const titles = () => within(screen.getByRole('listbox')).getAllByRole('option').map((o) => o.querySelector('.t')?.textContent);
    expect(titles(), 'a list sorts by title, ignoring a leading article').toEqual(['Lantern', 'A Moth', 'The Zebra']);
    await user.click(screen.getByRole('button', { name: /^Title/ }));
    expect(titles(), 'clicking the sorted header reverses it').toEqual(['The Zebra', 'A Moth', 'Lantern']);
  });

  it('Space selects rows for export', async () => {
    installBackend({ list_books: () => big.slice(0, 20) });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('20 books');
    screen.getByRole('listbox').focus();
    await user.keyboard(' {ArrowDown} ');
    expect(await screen.findByText('2 selected'), 'two rows were selected with Space').toBeTruthy();
    expect(within(screen.getByRole('listbox')).getAllByRole('option', { selected: true }).length, 'selected rows carry aria-selected').toBe(2);
  });

  it('grid mode shows covers, still windowed', async () => {
    installBackend({ list_books: () => big });
    const user = userEvent.setup();
    render(BookList, { shelf: { kind: 'status', id: 3, name: 'Read' } });
    await screen.findByText('10,000 books');
    await user.click(screen.getByRole('radio', { name: 'Grid' }));
    const n = within(screen.getByRole('listbox')).getAllByRole('option').length;
    expect(n, 'grid mode virtualizes rows of covers too').toBeLessThan(120);
    expect(n).toBeGreaterThan(5);
  });
});

describe('edits from the detail panel', () => {
  it('a book moved to another shelf leaves the shelf on screen', async () => {
    const [a, b] = generateLibrary(2).map((r) => ({ ...r, statusId: 2 as const }));
    installBackend({ list_books: () => [a, b] });
    render(BookList, { shelf: { kind: 'status', id: 2, name: 'Currently Reading' } });
    await screen.findByText('2 books');
    bookPatched.set({ ...a!, statusId: 3 });
    await screen.findByText('1 book');
    const ids = within(screen.getByRole('listbox')).getAllByRole('option').map((o) => o.id);
    expect(ids, 'only the book still on Currently Reading is listed').toEqual([`book-${b!.bookId}`]);
  });
});

describe('the first import after connecting', () => {
  it('a shelf opened while the library was still being imported fills in once it is', async () => {
    const library = generateLibrary(30);
    let imported = false;
    let finishImport: () => void = () => {};
    const importDone = new Promise<void>((resolve) => (finishImport = resolve));
    const empty = { ...SHELVES, statuses: SHELVES.statuses.map((s) => ({ ...s, count: 0 })), updatedAt: null };
    installBackend({
      get_status: () => STATUS,
      // The first answer comes only when the import has finished, as `list_shelves` does for a
      // library never imported.
      list_shelves: async () => {
        await importDone;
        imported = true;
        return SHELVES;
      },
      list_books: () => (imported ? library.filter((b) => b.statusId === 2) : []),
    });
    shelves.set(empty);
    currentShelf.set({ kind: 'status', id: 2, name: 'Currently Reading' });
    render(App);
    await screen.findByText('Nothing on this shelf yet.');
    finishImport();
    const expected = library.filter((b) => b.statusId === 2).length;
    expect(expected, 'the generated library has books on Currently Reading').toBeGreaterThan(0);
    const list = await screen.findByRole('listbox');
    await vi.waitFor(() =>
      expect(
        within(list).getAllByRole('option').length,
        'the open shelf must list the imported books, not stay empty beside its count',
      ).toBe(expected),
    );
  });
});
