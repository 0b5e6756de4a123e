/**
 * The one backoff of the integration: "full jitter" exponential backoff with a cap. The n-th retry
 * waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). Spreading retries uniformly
 * over the whole window keeps callers that failed together (a throttled account, a restarting
 * table) from retrying together, and the cap bounds the wait however many retries there were.
 * It is shared ground because every feature retries, and so do the publisher (which ships alone
 * and imports only lambda/shared), the local stack and the CLI.
 */

/** Backoff settings: the first retry's window and the largest window, in milliseconds. */
export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** A source of numbers in [0, 1): `Math.random`, or a fixed one where a test needs known waits. */
export type Random = () => number;

/**
 * How long to wait before a retry.
 * @param retry 1 for the first retry
 * @param random a source of numbers in [0, 1)
 */
export function fullJitterDelay(
  retry: number,
  options: BackoffOptions,
  random: Random = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Waits `ms` milliseconds: the one sleep of the project. With `unref`, the wait does not keep the
 * process alive (a grace period while shutting down).
 */
export function sleep(ms: number, options: { readonly unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options.unref) timer.unref();
  });
}

/** Waits before retry number `retry` (1 for the first), as {@link fullJitterDelay} says. */
export function backoff(retry: number, options: BackoffOptions, random: Random = Math.random): Promise<void> {
  return sleep(fullJitterDelay(retry, options, random));
}
