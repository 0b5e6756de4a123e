import { TransientStoreError } from '../domain/errors.ts';

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/**
 * Wraps a DynamoDB failure that may pass by itself (throttling, 5xx, timeouts, connection loss) in
 * a `TransientStoreError`, so the caller fails the invocation and the platform retries it. Anything
 * else is returned unchanged: it is a bug or a misconfiguration to look at.
 */
export function classifyStoreError(error: unknown, action: string): unknown {
  const e = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const status = e?.$metadata?.httpStatusCode;
  const transient =
    TRANSIENT_NAMES.has(e?.name ?? '') ||
    (status !== undefined && status >= 500) ||
    e?.$retryable !== undefined ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e?.code ?? '');
  return transient
    ? new TransientStoreError(
        `${action} failed with a transient DynamoDB error (${e?.name ?? 'unknown'}); the event will be retried`,
        {
          cause: error,
        },
      )
    : error;
}
