import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// A fresh module per test: the report is once per page load.
async function freshBench() {
  vi.resetModules();
  return import('../lib/bench');
}

function setVisibility(state: DocumentVisibilityState) {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('the first-rows report', () => {
  beforeEach(() => {
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => setTimeout(() => cb(0), 0));
  });
  afterEach(() => {
    setVisibility('visible');
    vi.unstubAllGlobals();
  });

  it('is sent once per page load when the page is visible', async () => {
    setVisibility('visible');
    const { reportFirstRowsOnce } = await freshBench();
    const report = vi.fn((_ms: number, _steps: unknown) => Promise.resolve());
    reportFirstRowsOnce(report);
    reportFirstRowsOnce(report);
    expect(report, 'one window, one wait to measure').toHaveBeenCalledTimes(1);
  });

  it('waits until a window started hidden is shown, then for its next frame', async () => {
    setVisibility('hidden');
    const { reportFirstRowsOnce } = await freshBench();
    const report = vi.fn((_ms: number, _steps: unknown) => Promise.resolve());
    reportFirstRowsOnce(report);
    await new Promise((r) => setTimeout(r, 10));
    expect(report, 'rows in a hidden window are not on screen yet').not.toHaveBeenCalled();
    setVisibility('visible');
    expect(report, 'the report waits for the frame after the window shows').not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 10));
    expect(report, 'shown: the rows are on screen').toHaveBeenCalledTimes(1);
  });
});
