// Helpers for the ?mock demo: open a view that needs a click (screenshots, manual checks).
import { api } from './api';
import { sortBooks } from './books';
import { currentShelf, detailBookId } from './stores';

export function openDemoView(view: string): void {
  if (view === 'grid') {
    try {
      localStorage.setItem('hs.mode', 'grid');
    } catch {
      // Storage is optional.
    }
  }
  if (view === 'detail') {
    // A finished, rated book on the Read shelf shows the most of the panel.
    currentShelf.set({ kind: 'status', id: 3, name: 'Read' });
    void api.listBooks('status', 3).then((rows) => {
      const b = sortBooks(rows, 'title', 'asc').find((r) => r.rating !== null);
      if (b) detailBookId.set(b.bookId);
    });
  }
}

/** `?view=sync-open`: the Sync view with the first unmatched item's picker and a run's details open. */
export function openSyncDetails(): void {
  const click = (sel: string, text: RegExp) =>
    [...document.querySelectorAll<HTMLButtonElement>(sel)].find((b) => text.test(b.textContent ?? ''))?.click();
  setTimeout(() => {
    click('button', /^Link…$/);
    click('button', /^Details$/);
  }, 300);
}
