// Runs the ?mock&bench scenario in headless Chromium over the DevTools protocol and prints the
// timing marks as JSON. Needs `npm run build`, `npm run preview` (port 4173) and a chromium
// binary; Node 20 needs --experimental-websocket (Node 22+ has WebSocket built in).
//   node --experimental-websocket bench/run.mjs [books=10000]
import { spawn } from 'node:child_process';

const books = Number(process.argv[2] ?? 10000);
const port = 9333;
const url = `http://127.0.0.1:4173/?mock&bench&books=${books}`;
const chrome = spawn(process.env.CHROMIUM ?? 'chromium', [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--window-size=1280,800',
  `--remote-debugging-port=${port}`,
  'about:blank',
], { stdio: 'ignore' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  let target;
  for (let i = 0; i < 50 && !target; i++) {
    await sleep(100);
    target = await fetch(`http://127.0.0.1:${port}/json/list`).then((r) => r.json()).then((l) => l.find((t) => t.type === 'page')).catch(() => undefined);
  }
  if (!target) throw new Error('chromium did not start');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
  let seq = 0;
  const pending = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) pending.get(msg.id)(msg);
  };
  const send = (method, params = {}) =>
    new Promise((r) => {
      const id = ++seq;
      pending.set(id, r);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Page.enable');
  await send('Page.navigate', { url });
  const poll = `new Promise((resolve) => { const t0 = Date.now(); (function check() {
    const el = document.getElementById('bench-results');
    if (el) return resolve(el.textContent);
    if (Date.now() - t0 > 60000) return resolve('{"error":"timeout"}');
    setTimeout(check, 100); })(); })`;
  const res = await send('Runtime.evaluate', { expression: poll, awaitPromise: true, returnByValue: true });
  console.log(JSON.stringify(JSON.parse(res.result.result.value), null, 2));
  ws.close();
} finally {
  chrome.kill('SIGTERM');
}
