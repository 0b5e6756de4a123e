/** Progress lines on stderr for the CLI's long runs: one rewritten line on a terminal, log lines elsewhere. */

/** Where progress goes: stderr, which may be a terminal. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/** `42s`, `3m05s`, `1h02m`. */
export const duration = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`
      : `${Math.ceil(seconds)}s`;

/** A run's state, read each time progress is printed. */
export interface ProgressState {
  /** What the line says first (`published 10 · failed 0`). */
  readonly text: string;
  /** Records done so far, for the rate. */
  readonly count: number;
  /** Bytes of the input consumed so far, for the percentage and the ETA. */
  readonly bytes: number;
}

/**
 * Prints progress at most every 250 ms on a terminal (rewriting one line) and every 5 s otherwise
 * (one line each, for logs); `final` prints regardless. The ETA needs the input's size, so standard
 * input gets none.
 */
export function progressPrinter(
  stderr: ProgressStream,
  totalBytes: number | undefined,
  state: () => ProgressState,
): (final?: boolean) => void {
  const started = Date.now();
  let lastProgress = started;
  return (final = false) => {
    const now = Date.now();
    const interval = stderr.isTTY ? 250 : 5000;
    if (!final && now - lastProgress < interval) return;
    lastProgress = now;
    const { text, count, bytes } = state();
    const elapsed = Math.max((now - started) / 1000, 0.001);
    let eta = '';
    if (totalBytes !== undefined && totalBytes > 0) {
      const share = Math.min(bytes / totalBytes, 1);
      const remaining = share > 0 ? (elapsed / share) * (1 - share) : undefined;
      eta = ` · ${Math.floor(share * 100)}% · ETA ${remaining === undefined ? '?' : duration(remaining)}`;
    }
    const line = `${text} · ${(count / elapsed).toFixed(0)}/s${eta}`;
    stderr.write(stderr.isTTY ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
  };
}
