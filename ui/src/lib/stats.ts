// Reading stats from the local copy of the Read shelf: books, pages and hours finished per year
// and month, and the current streak of months with a finished book. Pure, so it is unit-tested.
import type { BookRow } from './types';

export interface Tally {
  books: number;
  pages: number;
  hours: number;
}

export interface Stats {
  /** Years with a finished book, newest first. */
  years: { year: number; total: Tally; months: Tally[] }[];
  /** Months in a row, up to this month or the one before, with at least one book finished. */
  streakMonths: number;
}

const empty = (): Tally => ({ books: 0, pages: 0, hours: 0 });

export function readingStats(read: BookRow[], now: Date = new Date()): Stats {
  const byYear = new Map<number, { total: Tally; months: Tally[] }>();
  const finishedMonths = new Set<number>();
  for (const b of read) {
    if (!b.finishedAt) continue;
    const d = new Date(b.finishedAt);
    if (Number.isNaN(d.getTime())) continue;
    const year = d.getFullYear();
    const month = d.getMonth();
    let y = byYear.get(year);
    if (!y) {
      y = { total: empty(), months: Array.from({ length: 12 }, empty) };
      byYear.set(year, y);
    }
    for (const t of [y.total, y.months[month]!]) {
      t.books += 1;
      // An audiobook counts its hours, any other edition its pages.
      if (b.format === 'audio') t.hours += (b.audioSeconds ?? 0) / 3600;
      else t.pages += b.pages ?? 0;
    }
    finishedMonths.add(year * 12 + month);
  }
  const years = [...byYear.entries()].sort((a, b) => b[0] - a[0]).map(([year, v]) => ({ year, ...v }));
  // A month that has not ended yet does not break the streak.
  let m = now.getFullYear() * 12 + now.getMonth();
  if (!finishedMonths.has(m)) m -= 1;
  let streakMonths = 0;
  while (finishedMonths.has(m)) {
    streakMonths += 1;
    m -= 1;
  }
  return { years, streakMonths };
}
