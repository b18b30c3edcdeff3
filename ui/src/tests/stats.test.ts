import { describe, expect, it } from 'vitest';
import { readingStats } from '../lib/stats';
import type { BookRow } from '../lib/types';

const row = (finishedAt: string | null, format: BookRow['format'], pages: number | null, audioSeconds: number | null): BookRow => ({
  userBookId: 1,
  bookId: 1,
  title: 'x',
  authors: [],
  coverUrl: null,
  statusId: 3,
  rating: null,
  progress: 100,
  format,
  pages,
  audioSeconds,
  isbn13: null,
  dateAdded: null,
  finishedAt,
  lastActivity: finishedAt,
  listIds: [],
});

describe('reading stats', () => {
  it('counts books, pages and hours per year and month, and the streak of months', () => {
    const s = readingStats(
      [
        row('2026-12-02T10:00:00', 'ebook', 300, null),
        row('2026-11-20T10:00:00', 'audio', null, 36000),
        row('2026-10-05T10:00:00', 'physical', 200, null),
        row('2026-08-01T10:00:00', 'physical', 100, null),
        row('2025-03-01T10:00:00', 'ebook', 50, null),
        row(null, 'ebook', 999, null),
      ],
      new Date('2026-12-05T12:00:00'),
    );
    expect(s.years.map((y) => y.year), 'years newest first').toEqual([2026, 2025]);
    expect(s.years[0]?.total, 'audio counts hours, the rest pages; a book without a date is left out').toEqual({ books: 4, pages: 600, hours: 10 });
    expect(s.years[0]?.months[10]?.books, 'November').toBe(1);
    expect(s.streakMonths, 'October, November, December in a row; August is not next to them').toBe(3);
  });

  it('a month that has not ended yet does not break the streak', () => {
    const s = readingStats([row('2026-11-20T10:00:00', 'ebook', 10, null)], new Date('2026-12-05T12:00:00'));
    expect(s.streakMonths).toBe(1);
  });
});
