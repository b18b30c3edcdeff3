// Pure helpers for the book list: search, filter, sort and display formatting.
import type { BookFormat, BookRow } from './types';

export type SortKey = 'title' | 'author' | 'dateAdded' | 'progress' | 'rating' | 'finishedAt' | 'lastActivity';
export type SortDir = 'asc' | 'desc';

export const SORT_LABELS: Record<SortKey, string> = {
  title: 'Title',
  author: 'Author',
  dateAdded: 'Date added',
  progress: 'Progress',
  rating: 'Rating',
  finishedAt: 'Finished',
  lastActivity: 'Last activity',
};

export const FORMAT_LABELS: Record<BookFormat, string> = {
  audio: 'Audiobook',
  ebook: 'E-book',
  physical: 'Physical',
  comic: 'Comic',
};

// Lower-cased search text per row, computed once: a 10,000-row shelf is searched on every
// keystroke, and rebuilding these strings each time is what makes typing stutter.
const haystacks = new WeakMap<BookRow, string>();
function haystack(b: BookRow): string {
  let h = haystacks.get(b);
  if (h === undefined) {
    h = `${b.title}\u0000${b.authors.join('\u0000')}\u0000${b.isbn13 ?? ''}`.toLowerCase();
    haystacks.set(b, h);
  }
  return h;
}

/** Precomputes the search text of every row (cheap to call again: cached per row). */
export function warmSearchIndex(rows: BookRow[]): void {
  for (const b of rows) haystack(b);
}

export function filterBooks(rows: BookRow[], query: string, format: BookFormat | 'all'): BookRow[] {
  const q = query.trim().toLowerCase();
  // ISBNs are often typed with hyphens or spaces.
  const digits = q.replace(/[-\s]/g, '');
  const isbnLike = /^\d{3,13}x?$/.test(digits);
  if (!q && format === 'all') return rows;
  return rows.filter((b) => {
    if (format !== 'all' && b.format !== format) return false;
    if (!q) return true;
    const h = haystack(b);
    return h.includes(q) || (isbnLike && h.includes(digits));
  });
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function cmpNullable<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  // Missing values sort last whatever the direction: nobody wants 300 unrated books first.
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return cmp(a, b);
}

const sortTitles = new WeakMap<BookRow, string>();
/** The title as shelves sort it: without a leading "A", "An" or "The" ("The Hobbit" under H). */
function sortTitle(b: BookRow): string {
  let t = sortTitles.get(b);
  if (t === undefined) {
    t = b.title.replace(/^(the|an|a)\s+(?=\S)/i, '');
    sortTitles.set(b, t);
  }
  return t;
}

export function sortBooks(rows: BookRow[], key: SortKey, dir: SortDir): BookRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const out = rows.slice();
  const byTitle = (a: BookRow, b: BookRow) => collator.compare(sortTitle(a), sortTitle(b));
  const num = (x: number, y: number) => sign * (x - y);
  const str = (x: string, y: string) => sign * collator.compare(x, y);
  // ISO dates and timestamps order as plain text, far cheaper than the collator on a big shelf.
  const iso = (x: string, y: string) => sign * (x < y ? -1 : x > y ? 1 : 0);
  out.sort((a, b) => {
    let c = 0;
    switch (key) {
      case 'title':
        c = sign * byTitle(a, b);
        break;
      case 'author':
        c = cmpNullable(a.authors[0] ?? null, b.authors[0] ?? null, str);
        break;
      case 'dateAdded':
        c = cmpNullable(a.dateAdded, b.dateAdded, iso);
        break;
      case 'progress':
        c = cmpNullable(a.progress, b.progress, num);
        break;
      case 'rating':
        c = cmpNullable(a.rating, b.rating, num);
        break;
      case 'finishedAt':
        c = cmpNullable(a.finishedAt, b.finishedAt, iso);
        break;
      case 'lastActivity':
        c = cmpNullable(a.lastActivity, b.lastActivity, iso);
        break;
    }
    return c !== 0 ? c : byTitle(a, b);
  });
  return out;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatRelative(iso: string | null, now: Date = new Date()): string {
  if (!iso) return 'never';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now.getTime() - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return formatDate(iso);
}

export function editionLine(b: { format: string | null; pages: number | null; audioSeconds: number | null }): string {
  const parts: string[] = [];
  if (b.format) parts.push(FORMAT_LABELS[b.format as BookFormat] ?? b.format);
  if (b.format === 'audio' && b.audioSeconds) parts.push(formatDuration(b.audioSeconds));
  else if (b.pages) parts.push(`${b.pages} pages`);
  else if (b.audioSeconds) parts.push(formatDuration(b.audioSeconds));
  return parts.join(' · ');
}

/**
 * Progress as a 0–100 percentage. The contract's `progress` follows Hardcover's read
 * `progress`, which is a percentage; this is the one place to change if that ever differs.
 */
export function progressPct(p: number | null): number | null {
  if (p === null || !Number.isFinite(p)) return null;
  return Math.max(0, Math.min(100, p));
}

export function percent(p: number | null): string {
  const v = progressPct(p);
  return v === null ? '' : `${Math.round(v)}%`;
}

/** The shelf's rows after an edit to one book: replaced in place, or gone when the edit took it
 * off this shelf (moved to another status, taken off this list). */
export function applyPatch(rows: BookRow[], patch: BookRow, shelf: { kind: 'status' | 'list'; id: number }): BookRow[] {
  const i = rows.findIndex((b) => b.bookId === patch.bookId);
  if (i < 0) return rows;
  const stays = shelf.kind === 'status' ? patch.statusId === shelf.id : patch.listIds.includes(shelf.id);
  return stays ? rows.with(i, patch) : rows.toSpliced(i, 1);
}
