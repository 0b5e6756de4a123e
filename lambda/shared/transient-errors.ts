/**
 * The one rule for "may this AWS call succeed if made again": throttling, server-side faults,
 * timeouts and lost connections pass by themselves; anything else (validation, access denied, a
 * missing resource, a bug) fails the same way every time. The publisher (and the CLI through it)
 * and the DynamoDB adapters (lambda/shared/aws/store-errors.ts) decide with it, so that every
 * caller retries exactly the same failures. It inspects an error's shape only (no SDK import), so
 * the publisher, which ships alone, can use it too.
 */

/** Error names AWS services and the SDK use for throttling, server faults and timeouts. */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalException',
  'InternalServerError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Node network error codes of a connection that failed or dropped. */
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
 * Whether an error thrown by an AWS SDK call may pass on its own: the SDK marked it retryable, the
 * service answered 5xx or 429, its name is a throttling, fault or timeout name, or the connection
 * failed. Such a call is made again (or its invocation fails so the platform retries it).
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
