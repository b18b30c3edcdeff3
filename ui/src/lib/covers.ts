// Cover lookups: the app caches covers on disk (cover_path); the web view reads them through
// convertFileSrc. Each book is asked for once per session, since rows remount while scrolling.
import { convertFileSrc } from '@tauri-apps/api/core';
import { api } from './api';

const cache = new Map<number, Promise<string | null>>();

export function coverSrc(bookId: number, remote: string | null): Promise<string | null> {
  let p = cache.get(bookId);
  if (!p) {
    p = api
      .coverPath(bookId)
      .then((path) => {
        if (!path) return remote;
        try {
          return convertFileSrc(path);
        } catch {
          return remote;
        }
      })
      .catch(() => remote);
    cache.set(bookId, p);
  }
  return p;
}

export function clearCoverCache(): void {
  cache.clear();
}
