/** Per-entry PutEvents error codes EventBridge documents as retryable; every other code is final. */
export const RETRYABLE_ENTRY_ERRORS: ReadonlySet<string> = new Set([
  'InternalFailure',
  'ThrottlingException',
]);

/** Whether a failed entry is worth resending. */
export function isRetryableEntryError(errorCode: string): boolean {
  return RETRYABLE_ENTRY_ERRORS.has(errorCode);
}

const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/**
 * Whether an error thrown by `PutEvents` may pass on its own (throttling, 5xx, network trouble):
 * such a request is resent whole. Anything else (access denied, unknown bus, malformed request)
 * would fail the same way again.
 */
export function isTransientError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (typeof e.name === 'string' && TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  return typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code);
}

/** Backoff settings: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * "Full jitter" exponential backoff: spreading retries uniformly over the whole window keeps
 * publishers that failed together (a throttled account) from retrying together.
 * @param retry 1 for the first retry
 * @param random a source of numbers in [0, 1)
 */
export function fullJitterDelay(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
