/** Options of {@link waitFor}. */
export interface WaitOptions {
  /**
   * How long to keep trying. Generous on purpose: the deadline only decides when a test that is
   * already failing gives up, so it must never be what a slow or busy machine runs into. @default 120000
   */
  readonly timeoutMs?: number;
  /** Pause between two checks. @default 25 */
  readonly intervalMs?: number;
}

/**
 * Polls `check` until it gives a value other than `undefined` (or `false`), and returns it. Tests
 * wait for conditions, never for a fixed time: how long a delivery takes depends on the machine.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 120_000, intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
