/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Tauri conventions: a fixed dev port it can wait for, relative asset paths so the
// bundle loads from the app's custom protocol, and no screen clearing so Rust logs stay visible.
export default defineConfig({
  // svelteTesting: resolves Svelte's browser build under Vitest and cleans up after each test.
  plugins: [svelte(), svelteTesting()],
  base: './',
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  preview: { port: 4173, strictPort: true, host: '127.0.0.1' },
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/tests/setup.ts'],
    restoreMocks: true,
    // CI shares two cores with cargo builds: generous limits keep slow runs from failing.
    testTimeout: 20000,
  },
});
