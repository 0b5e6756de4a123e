/**
 * How `npm start` ends: whatever stops it, the endpoint, the read API and DynamoDB Local end with
 * it and their ports are free again.
 *
 * - SIGINT (Ctrl-C), SIGTERM (a supervisor, an IDE, `concurrently`, `docker stop`) and SIGHUP (the
 *   terminal closed) stop the stack cleanly. The npm script `exec`s node, so a signal npm forwards
 *   reaches this process and not a shell that would die without passing it on.
 * - npm forwards SIGINT and SIGTERM but not SIGHUP, and nothing is forwarded when npm is killed
 *   outright: this process then finds itself adopted by another parent and stops as if signalled.
 * - DynamoDB Local is started with a parent-death signal (see local/dynamodb-local.ts), so even a
 *   SIGKILL of this process does not leave the JVM behind.
 */

/** Signals that stop the stack. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Options of {@link stopOnSignalsAndParentExit}. */
export interface LifecycleOptions {
  /** Stops everything; resolves once it is stopped. */
  readonly stop: () => Promise<void>;
  /** Where the one-line notices go. */
  readonly notify: (line: string) => void;
  /** Ends the process (`process.exit`, replaced in tests). */
  readonly exit: (code: number) => void;
  /** How often to check whether the parent is still the one that started this process. @default 500 */
  readonly parentCheckMs?: number;
  /**
   * How long a clean stop may take before the process exits anyway (DynamoDB Local then ends with
   * it, through its parent-death signal). @default 15000
   */
  readonly stopDeadlineMs?: number;
}

/**
 * Stops the stack once on the first stop signal or when the parent process goes away, then exits:
 * 0 after a clean stop, 1 when stopping failed or overran its deadline. A second signal while
 * stopping exits at once (the impatient Ctrl-C).
 */
export function stopOnSignalsAndParentExit(options: LifecycleOptions): void {
  const { notify, exit } = options;
  const parent = process.ppid;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      notify(`${why} again: exiting without waiting for a clean stop`);
      exit(1);
      return;
    }
    stopping = true;
    notify(`${why}: stopping`);
    const deadlineMs = options.stopDeadlineMs ?? 15_000;
    const overdue = setTimeout(() => {
      notify(`could not stop within ${deadlineMs / 1000}s: exiting anyway`);
      exit(1);
    }, deadlineMs);
    overdue.unref();
    options.stop().then(
      () => exit(0),
      (error: Error) => {
        notify(`could not stop cleanly: ${error.message}`);
        exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  // A watch, not an event: no signal tells a process that its parent died.
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      stop(`parent process ${parent} exited`);
    }
  }, options.parentCheckMs ?? 500);
  watch.unref();
}
