// Cover lookups: the app caches covers on disk (cover_path); the web view reads them through
// convertFileSrc. Each book is asked for once per session, since rows remount while scrolling;
// a book that had no local cover yet is asked again once the library changed (e.g. right after
// connecting, when the first answers came before the library was imported).
import { convertFileSrc } from '@tauri-apps/api/core';
import { writable } from 'svelte/store';
import { api } from './api';

const cache = new Map<number, Promise<string | null>>();
/** Bumped when cached answers may be out of date: shown covers ask again. */
export const coverEpoch = writable(0);

export function coverSrc(bookId: number, remote: string | null): Promise<string | null> {
  let p = cache.get(bookId);
  if (!p) {
    p = api
      .coverPath(bookId)
      .then((path) => {
        if (!path) {
          cache.delete(bookId);
          return remote;
        }
        try {
          return convertFileSrc(path);
        } catch {
          return remote;
        }
      })
      .catch(() => {
        // Not kept: the next look (a remount, a newer library) asks again.
        cache.delete(bookId);
        return remote;
      });
    cache.set(bookId, p);
  }
  return p;
}

export function clearCoverCache(): void {
  cache.clear();
  coverEpoch.update((n) => n + 1);
}
