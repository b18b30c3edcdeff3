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
 * "Open shelves" (the e2e benchmark reads that line). Timing must never disturb the UI. */
export function reportFirstRowsOnce(report: (pageMs: number) => Promise<unknown>): void {
  if (firstRowsReported) return;
  firstRowsReported = true;
  report(performance.now()).catch(() => {});
}
