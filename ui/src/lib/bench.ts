// Timing marks for the end-to-end benchmark harness (see ui/bench/README.md).
// Marks are cheap and only read by whoever asks performance.getEntriesByType('mark').

export function mark(name: string): void {
  try {
    performance.mark(name);
  } catch {
    // Some test environments lack the User Timing API; timing is optional.
  }
}

export function measure(name: string, start: string, end: string): void {
  try {
    performance.measure(name, start, end);
  } catch {
    // A missing start mark just means no measurement this time.
  }
}

let firstRowsReported = false;

/** Tell the shell, once per page load, that the first rows are on screen: it logs the time since
 * "Open shelves" (the e2e benchmark reads that line). Timing must never disturb the UI.
 *
 * A window started ahead (the tray's menu opened) has its rows while it is still hidden: they are
 * on screen only once it is shown, so the report waits for the page to become visible and for the
 * frame after that. */
export function reportFirstRowsOnce(report: (pageMs: number, steps: PageSteps) => Promise<unknown>): void {
  if (firstRowsReported) return;
  firstRowsReported = true;
  const send = () => void report(performance.now(), pageSteps()).catch(() => {});
  if (document.visibilityState === 'visible') {
    send();
    return;
  }
  const onVisible = () => {
    if (document.visibilityState !== 'visible') return;
    document.removeEventListener('visibilitychange', onVisible);
    requestAnimationFrame(send);
  };
  document.addEventListener('visibilitychange', onVisible);
}

/** Where the page's time to its first rows went (ms since the page started), for the log line. */
export interface PageSteps {
  /** The page's script started (`app-start`). */
  scriptMs: number | null;
  /** The first shelf's rows were asked for (`shelf-open`). */
  askedMs: number | null;
  /** They were in the DOM (`first-rows`). */
  rowsMs: number | null;
}

function pageSteps(): PageSteps {
  const at = (name: string): number | null => {
    try {
      const m = performance.getEntriesByName(name, 'mark')[0];
      return m ? Math.round(m.startTime) : null;
    } catch {
      return null;
    }
  };
  return { scriptMs: at('app-start'), askedMs: at('shelf-open'), rowsMs: at('first-rows') };
}
