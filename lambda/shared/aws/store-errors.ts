import { TransientStoreError } from '../errors.ts';
import { isTransientError } from '../transient-errors.ts';

/**
 * Wraps a DynamoDB failure that may pass by itself (throttling, 5xx, timeouts, connection loss) in
 * a `TransientStoreError`, so the caller fails the invocation and the platform retries it. Anything
 * else is returned unchanged: it is a bug or a misconfiguration to look at.
 */
export function classifyStoreError(error: unknown, action: string): unknown {
  if (!isTransientError(error)) return error;
  const name = (error as { name?: string } | null)?.name ?? 'unknown';
  return new TransientStoreError(
    `${action} failed with a transient DynamoDB error (${name}); the event will be retried`,
    { cause: error },
  );
}
