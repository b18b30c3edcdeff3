import { describe, expect, it } from 'vitest';
import { applyPatch, editionLine, filterBooks, sortBooks } from '../lib/books';
import { generateLibrary } from '../lib/mock-backend';
import type { BookRow } from '../lib/types';

function row(p: Partial<BookRow> & { bookId: number; title: string }): BookRow {
  return {
    userBookId: null,
    authors: [],
    coverUrl: null,
    statusId: 1,
    rating: null,
    progress: null,
    format: null,
    pages: null,
    audioSeconds: null,
    isbn13: null,
    dateAdded: null,
    finishedAt: null,
    lastActivity: null,
    listIds: [],
    ...p,
  };
}

describe('filterBooks', () => {
  const rows = [
    row({ bookId: 1, title: 'Piranesi', authors: ['Susanna Clarke'], isbn13: '9781635575637', format: 'ebook' }),
    row({ bookId: 2, title: 'The Hobbit', authors: ['J. R. R. Tolkien'], isbn13: '9780547928227', format: 'physical' }),
    row({ bookId: 3, title: 'Project Hail Mary', authors: ['Andy Weir'], format: 'audio' }),
  ];

  it('matches title, author and ISBN, ignoring case', () => {
    expect(filterBooks(rows, 'piran', 'all').map((b) => b.bookId), 'title search must be case-insensitive').toEqual([1]);
    expect(filterBooks(rows, 'tolkien', 'all').map((b) => b.bookId), 'author names must be searchable').toEqual([2]);
    expect(filterBooks(rows, '9780547928227', 'all').map((b) => b.bookId), 'ISBN-13 must be searchable').toEqual([2]);
  });

  it('accepts ISBNs typed with hyphens', () => {
    expect(filterBooks(rows, '978-0-547-92822-7', 'all').map((b) => b.bookId), 'hyphenated ISBN must find the book').toEqual([2]);
  });

  it('filters by format and combines with search', () => {
    expect(filterBooks(rows, '', 'audio').map((b) => b.bookId), 'format filter keeps only that format').toEqual([3]);
    expect(filterBooks(rows, 'piranesi', 'audio'), 'search and format filter must both apply').toEqual([]);
  });
});

describe('sortBooks', () => {
  const rows = [
    row({ bookId: 1, title: 'b', rating: 4 }),
    row({ bookId: 2, title: 'a', rating: null }),
    row({ bookId: 3, title: 'c', rating: 2.5 }),
  ];

  it('puts books without a value last in both directions', () => {
    expect(sortBooks(rows, 'rating', 'asc').map((b) => b.bookId), 'unrated books sort after rated ones (asc)').toEqual([3, 1, 2]);
    expect(sortBooks(rows, 'rating', 'desc').map((b) => b.bookId), 'unrated books sort after rated ones (desc)').toEqual([1, 3, 2]);
  });

  it('sorts by last activity, the newest first when descending', () => {
    const input = [
      row({ bookId: 1, title: 'a', lastActivity: '2026-11-01' }),
      row({ bookId: 2, title: 'b', lastActivity: '2026-11-20T08:00:00+00:00' }),
      row({ bookId: 3, title: 'c', lastActivity: null }),
      row({ bookId: 4, title: 'd', lastActivity: '2026-11-20' }),
    ];
    expect(
      sortBooks(input, 'lastActivity', 'desc').map((b) => b.bookId),
      'what was read last comes first; a timestamp is later than the start of its day; no activity sorts last',
    ).toEqual([2, 4, 1, 3]);
  });

  it('sorts titles naturally and does not mutate its input', () => {
    const input = [row({ bookId: 1, title: 'Vol 10' }), row({ bookId: 2, title: 'Vol 2' })];
    expect(sortBooks(input, 'title', 'asc').map((b) => b.bookId), 'numbers in titles sort numerically').toEqual([2, 1]);
    expect(input[0]?.bookId, 'sorting must return a new array').toBe(1);
  });

  it('sorts 10,000 books quickly enough for typing', () => {
    const many = generateLibrary(10_000);
    const t0 = performance.now();
    sortBooks(filterBooks(many, 'garden', 'all'), 'author', 'asc');
    const ms = performance.now() - t0;
    expect(ms, 'search + sort over 10,000 books must stay well under a frame budget of 200 ms').toBeLessThan(200);
  });
});

describe('editionLine', () => {
  it('shows duration for audio and pages for text', () => {
    expect(editionLine({ format: 'audio', pages: null, audioSeconds: 41220 }), 'audiobooks are described by duration, never pages').toBe(
      'Audiobook · 11 h 27 min',
    );
    expect(editionLine({ format: 'physical', pages: 352, audioSeconds: null })).toBe('Physical · 352 pages');
  });
});

describe('applyPatch', () => {
  const a = row({ bookId: 1, title: 'a', statusId: 2, listIds: [9] });
  const rows = [a, row({ bookId: 2, title: 'b', statusId: 2 })];

  it('replaces an edited book that stays on the shelf', () => {
    const out = applyPatch(rows, { ...a, rating: 4 }, { kind: 'status', id: 2 });
    expect(out.map((b) => b.rating), 'a new rating shows in place').toEqual([4, null]);
  });

  it('drops a book moved off the status shelf being shown', () => {
    const out = applyPatch(rows, { ...a, statusId: 3 }, { kind: 'status', id: 2 });
    expect(out.map((b) => b.bookId), 'a book moved to Read must leave Currently Reading').toEqual([2]);
  });

  it('keeps list membership as the rule on a list', () => {
    expect(applyPatch(rows, { ...a, statusId: 3 }, { kind: 'list', id: 9 }).length, 'a status change keeps a book on its list').toBe(2);
    expect(applyPatch(rows, { ...a, listIds: [] }, { kind: 'list', id: 9 }).length, 'a book taken off the list leaves it').toBe(1);
  });
});
