import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BackoffOptions, backoff } from '../../lambda/shared/backoff.ts';
import { isTransientError } from '../../lambda/shared/transient-errors.ts';

/**
 * The bench on a busy machine: DynamoDB Local sometimes answers late, drops a connection (`socket
 * hang up` at 64 in flight) or fails with a 5xx. Such a call is sent again, with the integration's
 * one transient-error rule and backoff, and counted here, so the run finishes and says how many
 * requests it had to resend instead of ending at the first one. Retries show in the figures too: a
 * request counter counts every attempt, and a timing includes the waits.
 */

/** Attempts per call before the bench gives up on it (a dead engine still ends the run). */
export const BENCH_ATTEMPTS = 10;

/** Milliseconds a request may go without an answer before it is abandoned and sent again. */
export const BENCH_REQUEST_TIMEOUT_MS = 30_000;

const WAITS: BackoffOptions = { baseDelayMs: 50, maxDelayMs: 2000 };

/** Calls sent again over the run, by what failed. */
export interface RetryCounts {
  /** Attempts that failed and were sent again. */
  retried: number;
  /** Calls that failed on every attempt (the run ends with them). */
  gaveUp: number;
  /** Failed attempts by error name or code (`TimeoutError`, `ECONNRESET`, ...). */
  byReason: Record<string, number>;
}

/** Every retry of every bench client in this process. */
export const retryCounts: RetryCounts = { retried: 0, gaveUp: 0, byReason: {} };

/** Forgets the counts (each scenario reports its own). */
export function resetRetryCounts(): RetryCounts {
  const before = { ...retryCounts, byReason: { ...retryCounts.byReason } };
  Object.assign(retryCounts, { retried: 0, gaveUp: 0, byReason: {} });
  return before;
}

const reasonOf = (error: unknown) => {
  const { code, name } = error as { code?: unknown; name?: unknown };
  return String(typeof code === 'string' ? code : (name ?? 'unknown'));
};

/**
 * Makes the client send a call again when it fails transiently, up to {@link BENCH_ATTEMPTS} times,
 * counting each retry. The middleware wraps the whole call (the SDK's own retries are off), so a
 * request counter or a capacity meter inside it sees every attempt.
 */
export function retryTransientFailures(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await next(args);
        } catch (error) {
          if (!isTransientError(error)) throw error;
          const reason = reasonOf(error);
          retryCounts.byReason[reason] = (retryCounts.byReason[reason] ?? 0) + 1;
          if (attempt >= BENCH_ATTEMPTS) {
            retryCounts.gaveUp += 1;
            throw error;
          }
          retryCounts.retried += 1;
          await backoff(attempt, WAITS);
        }
      }
    },
    { step: 'initialize', priority: 'high', name: 'benchTransientRetry' },
  );
}
