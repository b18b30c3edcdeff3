// Helpers for the ?mock demo: open a view that needs a click (screenshots, manual checks).
import { get } from 'svelte/store';
import { detailBookId, shelves } from './stores';

export function openDemoView(view: string): void {
  if (view === 'grid') {
    try {
      localStorage.setItem('hs.mode', 'grid');
    } catch {
      // Storage is optional.
    }
  }
  if (view === 'detail') {
    const stop = shelves.subscribe((s) => {
      if (!s) return;
      queueMicrotask(() => stop());
      if (get(detailBookId) === null) detailBookId.set(1);
    });
  }
}
