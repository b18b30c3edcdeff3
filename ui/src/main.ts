import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { mark } from './lib/bench';
import { prefetchFirstShelf } from './lib/stores';

async function start(): Promise<void> {
  mark('app-start');
  const params = new URLSearchParams(location.search);
  const inTauri = '__TAURI_INTERNALS__' in window;
  // The demo backend only ever loads on request, and never inside the real app.
  if (!inTauri && params.has('mock')) {
    const { installMockBackend } = await import('./lib/mock-backend');
    installMockBackend({
      books: Number(params.get('books')) || 300,
      scenario: params.get('scenario'),
      everythingList: params.has('bench'),
    });
  }
  // The window opens on Currently Reading: its rows are the slowest thing to fetch, so they are
  // asked for now, while the app is still being built.
  if ((inTauri || params.has('mock')) && (location.hash === '' || location.hash === '#/shelves')) {
    prefetchFirstShelf();
  }
  const target = document.getElementById('app');
  if (!target) throw new Error('index.html is missing #app');
  const view = params.get('view');
  if (view === 'detail' || view === 'grid') {
    const { openDemoView } = await import('./lib/demo-views');
    openDemoView(view);
  }
  mount(App, { target, props: { initialView: view === 'sync-open' ? 'sync' : view } });
  if (view === 'sync-open' && params.has('mock')) {
    const { openSyncDetails } = await import('./lib/demo-views');
    openSyncDetails();
  }
  if (!inTauri && params.has('mock') && params.has('bench')) {
    const { runBenchScenario } = await import('./lib/bench-scenario');
    void runBenchScenario();
  }
}

void start();
