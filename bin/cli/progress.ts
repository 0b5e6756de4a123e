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

/**
 * Counts down a wait on stderr so a long one never looks like a hang: every second on a terminal
 * (one rewritten line), every 10 s otherwise. Returns what stops it (call it when the wait ends).
 */
export function countdown(stderr: ProgressStream, waitMs: number, what: string): () => void {
  const end = Date.now() + waitMs;
  const print = (last: boolean) => {
    const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    const line = last ? `${what}: done` : `${what}: ${duration(left)} left`;
    stderr.write(stderr.isTTY ? `\r${line}\x1b[K${last ? '\n' : ''}` : `${line}\n`);
  };
  print(false);
  const timer = setInterval(() => print(false), stderr.isTTY ? 1000 : 10_000);
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    print(true);
  };
}
