import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup, configure } from '@testing-library/svelte';
import { afterEach } from 'vitest';
import { resetState } from '../lib/stores';
import { clearCoverCache } from '../lib/covers';

// findBy* waits up to 1 s by default; a loaded two-core CI machine can need longer.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  // Unmount first: components unsubscribe from events through the mocked bridge.
  cleanup();
  clearMocks();
  resetState();
  clearCoverCache();
  localStorage.clear();
});

// jsdom has no layout and no ResizeObserver (Svelte's bind:clientHeight uses it); sizes stay 0
// and the virtual list falls back to its default viewport height.
if (!('ResizeObserver' in globalThis)) {
  class NoLayoutResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = NoLayoutResizeObserver;
}
