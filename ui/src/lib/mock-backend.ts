// A browser-only stand-in for the Tauri backend, for screenshots and UI work without the app
// (`vite preview` + `?mock`). It is only imported on request, never by the real app.
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type {
  AppStatus,
  BookDetail,
  BookFormat,
  BookRow,
  DeviceView,
  Edition,
  HighlightView,
  PlanPreview,
  RunItem,
  RunSummary,
  SearchHit,
  Settings,
  Shelves,
  StatusId,
  UnmatchedItem,
} from './types';
import { STATUS_IDS, STATUS_NAMES } from './types';

/** The first book of the demo library has highlights from a Kobo; the others none. */
function highlightsOf(bookId: number): HighlightView[] {
  if (bookId !== 1) return [];
  return [
    { source: 'kobo', text: 'The orchard kept its lanterns lit.', note: null, chapter: 'One', madeAt: '2026-11-03T20:01:02Z', journalId: 9000001, removed: false },
    { source: 'kobo', text: 'Every branch a small sun.', note: 'Lovely image', chapter: 'Two', madeAt: '2026-11-04T08:30:00Z', journalId: 9000002, removed: false },
  ];
}

export interface MockOptions {
  books?: number;
  /** 'offline' | 'reconnect' | 'disconnected' | null */
  scenario?: string | null;
  /** Adds a list holding every book, so a benchmark can open one shelf of `books` books. */
  everythingList?: boolean;
}

// Deterministic so screenshots do not change from run to run.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIRST = ['The', 'Our', 'Silent', 'Last', 'Hidden', 'Burning', 'Glass', 'Northern', 'Quiet', 'Iron', 'Paper', 'Winter', 'Distant', 'Small'];
const SECOND = ['Garden', 'River', 'Library', 'Orchard', 'Lighthouse', 'Kingdom', 'Cartographer', 'Harbor', 'Archive', 'Forest', 'Machine', 'Tide', 'Hours', 'Atlas'];
const TAIL = ['', '', '', ' of Ash', ' at Dusk', ' Beneath', ' of Small Things', ': A Novel', ' and the Sea', ' Returns'];
const AUTHORS = [
  'Ada Lindqvist', 'Tomás Ferreira', 'Mira Okafor', 'Jun Takahashi', 'Elena Moreau', 'Samuel Ochoa', 'Ingrid Halvorsen',
  'Priya Raman', 'Owen Gallagher', 'Lucía Varela', 'Kenji Mori', 'Hannah Weiss', 'Farid Haddad', 'Chloé Martin',
];
const FORMATS: BookFormat[] = ['physical', 'ebook', 'audio', 'ebook', 'physical', 'comic'];

function isoDay(daysAgo: number): string {
  const d = new Date(Date.UTC(2026, 10, 25) - daysAgo * 86400000);
  return d.toISOString().slice(0, 10);
}

function daysBefore(day: string | null, n: number): string | null {
  if (!day) return null;
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400000).toISOString().slice(0, 10);
}

export function generateLibrary(n: number, seed = 7): BookRow[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const rows: BookRow[] = [];
  for (let i = 1; i <= n; i++) {
    const statusId = ([1, 1, 2, 3, 3, 3, 4, 5, 6] as StatusId[])[Math.floor(r() * 9)] as StatusId;
    const format = pick(FORMATS);
    const pages = format === 'audio' ? null : 120 + Math.floor(r() * 600);
    const audioSeconds = format === 'audio' ? 3600 * (4 + Math.floor(r() * 20)) : null;
    const progress = statusId === 3 ? 100 : statusId === 2 || statusId === 4 || statusId === 5 ? Math.round(r() * 95) : null;
    const added = Math.floor(r() * 900);
    const book: BookRow = {
      userBookId: 1000 + i,
      bookId: i,
      title: `${pick(FIRST)} ${pick(SECOND)}${pick(TAIL)}`,
      authors: r() < 0.15 ? [...new Set([pick(AUTHORS), pick(AUTHORS)])] : [pick(AUTHORS)],
      coverUrl: null,
      statusId,
      rating: statusId === 3 && r() < 0.8 ? Math.round(r() * 8 + 2) / 2 : null,
      progress,
      format,
      pages,
      audioSeconds,
      isbn13: format === 'audio' ? null : `978${String(Math.floor(r() * 1e10)).padStart(10, '0')}`,
      dateAdded: isoDay(added),
      finishedAt: statusId === 3 ? isoDay(Math.floor(r() * added)) : null,
      lastActivity: null,
      listIds: r() < 0.2 ? [1] : r() < 0.1 ? [2] : r() < 0.05 ? [3] : [],
    };
    // Set after the literal, without a random draw: the same seed keeps giving the same library.
    book.lastActivity = book.finishedAt ?? isoDay(progress !== null ? added % 60 : added);
    rows.push(book);
  }
  return rows;
}

export function installMockBackend(opts: MockOptions = {}): void {
  const books = generateLibrary(opts.books ?? 300);
  const byId = new Map(books.map((b) => [b.bookId, b]));
  const lists = [
    { id: 1, name: 'Favourites' },
    { id: 2, name: 'Book club 2026' },
    { id: 3, name: 'Comfort reads' },
  ];
  if (opts.everythingList) {
    lists.push({ id: 99, name: 'Everything' });
    for (const b of books) b.listIds.push(99);
  }
  const scenario = opts.scenario ?? null;

  const summary = (runId: number, hoursAgo: number, dryRun = false): RunSummary => ({
    runId,
    startedAt: new Date(Date.UTC(2026, 10, 25, 9, 30) - hoursAgo * 3600000).toISOString(),
    finishedAt: new Date(Date.UTC(2026, 10, 25, 9, 31) - hoursAgo * 3600000).toISOString(),
    dryRun,
    added: runId % 3,
    progressUpdated: 3 + (runId % 5),
    finished: runId % 2,
    rated: 0,
    writtenBack: runId % 2,
    skipped: 12 + runId,
    unmatched: 2,
    errors: runId === 3 ? 1 : 0,
    hardcoverRequests: 9 + runId,
    sentence: `${3 + (runId % 5)} books updated${runId % 2 ? ', 1 finished: The Quiet Orchard' : ''}`,
  });
  const runs = [5, 4, 3, 2, 1].map((id, i) => summary(id, i * 0.5 + 0.1));

  let status: AppStatus = {
    connected: scenario !== 'disconnected',
    username: scenario === 'disconnected' ? null : 'margot',
    userId: 4242,
    tokenStore: 'keyring',
    reconnectNeeded: scenario === 'reconnect',
    reconnectReason: scenario === 'reconnect' ? 'Your Hardcover token was reset on hardcover.app.' : null,
    sync: { state: 'idle', lastRunAt: runs[0]?.startedAt ?? null, lastSummary: runs[0] ?? null, progress: null, nextRunAt: new Date(Date.UTC(2026, 10, 25, 10, 0)).toISOString(), sources: [] },
    offline: scenario === 'offline',
    demo: true,
  };

  let settings: Settings = {
    interval: '30m',
    direction: 'to_hardcover',
    regressionGuard: true,
    currentlyReadingThreshold: 0.02,
    syncRatings: false,
    overwriteRatings: false,
    notifications: { finished: true, failures: true, reconnect: true },
    startAtLogin: true,
    tokenStore: 'keyring',
    sources: [
      { kind: 'audiobookshelf', name: 'Home ABS', url: 'https://abs.home.example', username: null, library: ['Audiobooks'], hasSecret: true },
      { kind: 'komga', name: 'Comics', url: 'https://komga.home.example', username: 'margot', library: [], hasSecret: true },
    ],
  };

  const shelves = (): Shelves => ({
    statuses: STATUS_IDS.map((id) => ({ kind: 'status', id, name: STATUS_NAMES[id], slug: null, count: books.filter((b) => b.statusId === id).length })),
    lists: lists.map((l) => ({ kind: 'list', id: l.id, name: l.name, slug: null, count: books.filter((b) => b.listIds.includes(l.id)).length })),
    updatedAt: new Date(Date.UTC(2026, 10, 25, 9, 12)).toISOString(),
    offline: scenario === 'offline',
  });

  const editionsOf = (bookId: number): Edition[] => {
    const b = byId.get(bookId);
    return [
      { id: bookId * 10 + 1, title: b?.title ?? null, format: 'physical', pages: 352, audioSeconds: null, isbn13: '9780000000011', isbn10: null, asin: null },
      { id: bookId * 10 + 2, title: b?.title ?? null, format: 'ebook', pages: 340, audioSeconds: null, isbn13: '9780000000028', isbn10: null, asin: 'B0EXAMPLE1' },
      { id: bookId * 10 + 3, title: `${b?.title ?? 'Book'} (Unabridged)`, format: 'audio', pages: null, audioSeconds: 41220, isbn13: null, isbn10: null, asin: 'B0EXAMPLE2' },
    ];
  };

  const detail = (bookId: number): BookDetail => {
    const b = byId.get(bookId);
    if (!b) throw { code: 'not_found', message: `No book ${bookId} in your library.` };
    const ed = editionsOf(bookId).find((e) => e.format === b.format) ?? null;
    return {
      ...b,
      subtitle: bookId % 4 === 0 ? 'A story in three parts' : null,
      edition: ed && { ...ed, pages: b.pages, audioSeconds: b.audioSeconds, isbn13: b.isbn13 },
      reads:
        b.statusId === 3
          ? [
              { id: bookId * 100 + 1, startedAt: isoDay(1400), finishedAt: isoDay(1380), progress: 100, progressPages: b.pages, progressSeconds: b.audioSeconds, editionId: ed?.id ?? null },
              { id: bookId * 100 + 2, startedAt: daysBefore(b.finishedAt, 18), finishedAt: b.finishedAt, progress: 100, progressPages: b.pages, progressSeconds: b.audioSeconds, editionId: ed?.id ?? null },
            ]
          : b.progress !== null
            ? [{ id: bookId * 100 + 1, startedAt: isoDay(12), finishedAt: null, progress: b.progress, progressPages: b.pages ? Math.round((b.pages * b.progress) / 100) : null, progressSeconds: b.audioSeconds ? Math.round((b.audioSeconds * b.progress) / 100) : null, editionId: ed?.id ?? null }]
            : [],
      lists: lists.filter((l) => b.listIds.includes(l.id)).map((l) => ({ listId: l.id, listBookId: bookId * 7 + l.id, name: l.name })),
      linked:
        b.progress !== null
          ? [{ source: b.format === 'audio' ? 'Home ABS' : 'Comics', itemId: `li_${bookId}`, title: b.title, method: b.isbn13 ? 'isbn' : 'asin' }]
          : [],
      hardcoverUrl: `https://hardcover.app/books/${b.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    };
  };

  const hits = (q: string): SearchHit[] =>
    books
      .filter((b) => b.title.toLowerCase().includes(q.toLowerCase()) || b.authors.some((a) => a.toLowerCase().includes(q.toLowerCase())))
      .slice(0, 8)
      .map((b) => ({ bookId: b.bookId, title: b.title, authors: b.authors, year: 1990 + (b.bookId % 35), coverUrl: null }));

  // A Kobo just plugged in, its first sync not confirmed yet (the device prompt's screenshot).
  let devices: DeviceView[] = [
    {
      id: 'kobo:N418DEMO00001',
      name: 'Kobo eReader',
      kinds: ['kobo'],
      root: '/run/media/reader/KOBOeReader',
      firstSeen: '2026-11-25T09:00:00Z',
      lastSeen: '2026-11-25T09:00:00Z',
      connected: true,
      books: 3,
      confirmed: false,
      alwaysSync: false,
      sources: ['kobo'],
    },
  ];
  let unmatched: UnmatchedItem[] = [
    { source: 'Home ABS', itemId: 'li_9001', title: 'The Glass Cartographer (Dramatized)', authors: ['Ada Lindqvist'], candidates: hits('Glass Cartographer').slice(0, 3) },
    { source: 'Comics', itemId: 'bk_77', title: 'Paper Tide, Vol. 2', authors: ['Kenji Mori'], candidates: [] },
  ];

  const runItems = (runId: number): RunItem[] => [
    { source: 'Home ABS', id: 'li_12', title: byId.get(12)?.title ?? 'Book 12', action: 'progress', result: 'updated', reason: '41% → 47%' },
    { source: 'Home ABS', id: 'li_30', title: byId.get(30)?.title ?? 'Book 30', action: 'finish', result: 'updated', reason: 'finished 2026-11-23 (date from the server)' },
    { source: 'Comics', id: 'bk_5', title: byId.get(5)?.title ?? 'Book 5', action: 'progress', result: 'skipped', reason: 'progress on Hardcover is ahead (regression guard)' },
    { source: 'Comics', id: 'bk_8', title: byId.get(8)?.title ?? 'Book 8', action: 'progress', result: 'skipped', reason: 'no change since last sync' },
    ...(runId === 3 ? [{ source: 'Home ABS', id: 'li_99', title: 'Winter Atlas', action: 'progress', result: 'error', reason: 'Hardcover answered 500; will retry next run' }] : []),
  ];

  const preview: PlanPreview = {
    sentence: '2 books to update, 1 to finish: ' + (byId.get(14)?.title ?? 'Book 14'),
    changes: [
      { source: 'Home ABS', itemId: 'li_12', title: byId.get(12)?.title ?? 'Book 12', action: 'progress', detail: 'progress to 5:12' },
      { source: 'Comics', itemId: 'bk_14', title: byId.get(14)?.title ?? 'Book 14', action: 'finish', detail: 'mark Read, finished 2026-11-24' },
      { source: 'Home ABS', itemId: 'li_40', title: byId.get(40)?.title ?? 'Book 40', action: 'progress', detail: 'mark Currently Reading, progress to page 12' },
    ],
    rest: '21 books already up to date, 1 below the Currently Reading threshold',
  };

  const offlineGuard = () => {
    if (scenario === 'offline') throw { code: 'offline', message: 'No connection to Hardcover.' };
  };

  mockIPC(
    async (cmd, payload) => {
      const a = (payload ?? {}) as Record<string, unknown>;
      switch (cmd) {
        case 'get_status':
          return status;
        case 'list_shelves':
          return shelves();
        case 'refresh_library':
          offlineGuard();
          return shelves();
        case 'list_books':
          return a.kind === 'status' ? books.filter((b) => b.statusId === a.id) : books.filter((b) => b.listIds.includes(a.id as number));
        case 'book_detail':
          return detail(a.bookId as number);
        case 'search_library':
          return books.filter((b) => b.title.toLowerCase().includes(String(a.query).toLowerCase())).slice(0, 500);
        case 'open_on_hardcover':
          return null;
        case 'set_status': {
          offlineGuard();
          const b = byId.get(a.bookId as number);
          if (!b) throw { code: 'not_found', message: 'No such book.' };
          b.statusId = a.statusId as StatusId;
          return b;
        }
        case 'set_rating': {
          offlineGuard();
          const b = byId.get(a.bookId as number);
          if (!b) throw { code: 'not_found', message: 'No such book.' };
          b.rating = a.rating as number | null;
          return b;
        }
        case 'add_to_list':
        case 'remove_from_list': {
          offlineGuard();
          const b = byId.get(a.bookId as number);
          if (b) b.listIds = cmd === 'add_to_list' ? [...new Set([...b.listIds, a.listId as number])] : b.listIds.filter((x) => x !== a.listId);
          return null;
        }
        case 'sync_runs':
          return runs.slice(0, a.limit as number);
        case 'run_items':
          return runItems(a.runId as number);
        case 'unmatched_items':
          return unmatched;
        case 'sync_preview':
          return preview;
        case 'sync_now': {
          offlineGuard();
          const total = 24;
          for (let d = 0; d <= total; d += 6) {
            await new Promise((r) => setTimeout(r, 150));
            await emit('sync-progress', { phase: 'updating', done: d, total });
          }
          const s = summary(runs.length + 1, 0);
          runs.unshift(s);
          status = { ...status, sync: { ...status.sync, lastRunAt: s.startedAt, lastSummary: s } };
          await emit('sync-finished', s);
          return s;
        }
        case 'set_paused':
          status = { ...status, sync: { ...status.sync, state: a.paused ? 'paused' : 'idle' } };
          return status.sync;
        case 'link_item':
          unmatched = unmatched.filter((u) => !(u.source === a.source && u.itemId === a.itemId));
          return null;
        case 'unlink_item':
        case 'set_item_excluded':
        case 'set_item_highlights':
          return null;
        case 'excluded_items':
          return [];
        case 'devices':
          return devices;
        case 'confirm_device':
          devices = devices.map((d) => (d.id === a.id ? { ...d, confirmed: true, alwaysSync: d.alwaysSync || !!a.always } : d));
          return null;
        case 'forget_device':
          devices = devices.filter((d) => d.id !== a.id);
          return null;
        case 'book_highlights':
          return highlightsOf(a.bookId as number);
        case 'search_books':
          return hits(a.query as string);
        case 'book_editions':
          return editionsOf(a.bookId as number);
        case 'get_settings':
          return settings;
        case 'save_settings':
          settings = {
            ...(a.settings as Settings),
            sources: (a.settings as Settings).sources.map(({ secret, ...s }) => ({ ...s, hasSecret: s.hasSecret || !!secret })),
          };
          return settings;
        case 'test_source':
          await new Promise((r) => setTimeout(r, 300));
          return { ok: true, message: 'Connected', items: 128 };
        case 'set_autostart':
          return a.enabled;
        case 'report_first_rows':
        case 'open_logs_folder':
        case 'cancel_connect':
          return null;
        case 'connect_browser':
        case 'connect_token':
          status = { ...status, connected: true, username: 'margot', reconnectNeeded: false, reconnectReason: null };
          return status;
        case 'disconnect':
          status = { ...status, connected: false, username: null };
          return { revoked: true, message: 'Disconnected; the token was revoked.' };
        case 'export_books': {
          const total = 40;
          for (let d = 0; d <= total; d += 10) {
            await new Promise((r) => setTimeout(r, 100));
            await emit('export-progress', { done: d, total });
          }
          return { rows: total, path: `/home/margot/hardcover-library-${new Date().toISOString().slice(0, 10)}.csv` };
        }
        case 'cover_path':
          return null;
        default:
          throw { code: 'internal', message: `mock backend: unknown command ${cmd}` };
      }
    },
    { shouldMockEvents: true },
  );
}
