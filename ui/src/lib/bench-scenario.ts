// Scripted run for `?mock&books=10000&bench` in a plain browser: open the largest shelf, type a
// search one key at a time, scroll through the list, then publish every measure as JSON in
// <script id="bench-results"> so a headless browser's --dump-dom can read it.
import { get } from 'svelte/store';
import { currentShelf, shelves } from './stores';

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until<T>(f: () => T | null | undefined, timeoutMs = 10000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error('bench: timed out');
    await sleep(20);
  }
}

export async function runBenchScenario(): Promise<void> {
  const s = await until(() => get(shelves));
  await until(() => document.querySelector('[role=listbox]'));
  const biggest = [...s.statuses, ...s.lists].sort((a, b) => b.count - a.count)[0];
  if (biggest) {
    currentShelf.set({ kind: biggest.kind, id: biggest.id, name: biggest.name });
    await until(() => performance.getEntriesByName('shelf-open-to-first-frame').length > 1 || null, 10000).catch(() => null);
    await sleep(200);
  }

  const input = await until(() => document.querySelector<HTMLInputElement>('input[type=search]'));
  for (const q of ['g', 'gl', 'gla', 'glas', 'glass', 'glas', 'gla', 'gl', 'g', '']) {
    input.value = q;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await frame();
    await frame();
  }

  const list = await until(() => document.querySelector<HTMLElement>('[role=listbox]'));
  const frames: number[] = [];
  let last = performance.now();
  for (let i = 0; i < 120; i++) {
    list.scrollTop += 400;
    list.dispatchEvent(new Event('scroll'));
    await frame();
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }

  const measures = performance.getEntriesByType('measure').map((m) => ({ name: m.name, ms: Math.round(m.duration * 100) / 100 }));
  const sorted = [...frames].sort((a, b) => a - b);
  const result = {
    books: biggest?.count ?? 0,
    domRows: document.querySelectorAll('[role=listbox] [role=option]').length,
    measures,
    scroll: {
      frames: frames.length,
      medianMs: Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 100) / 100,
      p95Ms: Math.round((sorted[Math.floor(sorted.length * 0.95)] ?? 0) * 100) / 100,
    },
  };
  const el = document.createElement('script');
  el.type = 'application/json';
  el.id = 'bench-results';
  el.textContent = JSON.stringify(result);
  document.body.appendChild(el);
}
