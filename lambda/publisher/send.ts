import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { type BackoffOptions, fullJitterDelay, type Random, sleep } from '../shared/backoff.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { isTransientError } from '../shared/transient-errors.ts';
import { entrySize, planRequests } from './batching.ts';
import { isRetryableEntryError } from './retry.ts';

/** What became of one entry. */
export type SendOutcome =
  | { readonly ok: true; readonly eventId: string; readonly attempts: number }
  | {
      readonly ok: false;
      /** EventBridge's per-entry `ErrorCode`, or the name of the error the request failed with. */
      readonly errorCode: string;
      readonly errorMessage: string;
      /** How many times the entry was sent. */
      readonly attempts: number;
      /** Whether sending it again later may succeed (it failed on something transient). */
      readonly retryable: boolean;
    };

/** Outcomes in entry order, and the PutEvents requests made (retries included). */
export interface SendResult {
  readonly outcomes: readonly SendOutcome[];
  readonly requests: number;
}

/** How {@link sendEntries} sends and resends. */
export interface SendOptions {
  readonly client: EventBridgeClient;
  /** Sends per entry, the first included. */
  readonly maxAttempts: number;
  /** Time (epoch milliseconds) after which nothing is sent or waited for. @default none */
  readonly deadline?: number;
  readonly backoff: BackoffOptions;
  /** Most requests in flight at once. */
  readonly concurrency: number;
  /** Randomness of the backoff. @default Math.random */
  readonly random?: Random;
}

interface Pending {
  readonly index: number;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
  attempts: number;
  lastError?: { errorCode: string; errorMessage: string };
}

const failure = (p: Pending, retryable: boolean): SendOutcome => ({
  ok: false,
  errorCode: p.lastError?.errorCode ?? 'Error',
  errorMessage: p.lastError?.errorMessage ?? '',
  attempts: p.attempts,
  retryable,
});

/**
 * Sends entries with PutEvents in as few requests as the limits allow and resends only what failed
 * on something transient, with full-jitter backoff, until `maxAttempts` or the deadline: entries
 * failing with a code EventBridge documents as retryable, and whole requests failing with a
 * transient error. Every other failure is final at once (see {@link isRetryableEntryError}).
 */
export async function sendEntries(
  entries: readonly PutEventsRequestEntry[],
  options: SendOptions,
): Promise<SendResult> {
  const outcomes: SendOutcome[] = [];
  let round: Pending[] = entries.map((entry, index) => ({
    index,
    entry,
    size: entrySize(entry),
    attempts: 0,
  }));
  let requests = 0;
  for (let attempt = 1; round.length > 0; attempt++) {
    const retry: Pending[] = [];
    await forEachLimit(
      planRequests(round, (p) => p.size),
      options.concurrency,
      async (batch) => {
        requests++;
        await sendRequest(batch, options, outcomes, retry);
      },
    );
    if (retry.length === 0) break;
    const delay = fullJitterDelay(attempt, options.backoff, options.random);
    if (
      attempt >= options.maxAttempts ||
      Date.now() + delay >= (options.deadline ?? Number.POSITIVE_INFINITY)
    ) {
      for (const p of retry) outcomes[p.index] = failure(p, true);
      break;
    }
    await sleep(delay);
    round = retry.sort((a, b) => a.index - b.index);
  }
  return { outcomes, requests };
}

/** One PutEvents request: accepted entries go to `outcomes`, the ones worth resending to `retry`. */
async function sendRequest(
  batch: readonly Pending[],
  options: SendOptions,
  outcomes: SendOutcome[],
  retry: Pending[],
): Promise<void> {
  for (const p of batch) p.attempts++;
  const signal =
    options.deadline === undefined
      ? undefined
      : AbortSignal.timeout(Math.max(1, options.deadline - Date.now()));
  try {
    const response = await options.client.send(
      new PutEventsCommand({ Entries: batch.map((p) => p.entry) }),
      signal ? { abortSignal: signal } : {},
    );
    batch.forEach((p, i) => {
      const answer = response.Entries?.[i];
      if (answer?.EventId && !answer.ErrorCode) {
        outcomes[p.index] = { ok: true, eventId: answer.EventId, attempts: p.attempts };
        return;
      }
      // An entry without a result is counted as EventBridge's own retryable InternalFailure.
      const errorCode = answer?.ErrorCode ?? 'InternalFailure';
      p.lastError = {
        errorCode,
        errorMessage: answer?.ErrorMessage ?? 'no result for this entry in the response',
      };
      if (isRetryableEntryError(errorCode)) retry.push(p);
      else outcomes[p.index] = failure(p, false);
    });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    for (const p of batch)
      p.lastError = { errorCode: e?.name ?? 'Error', errorMessage: e?.message ?? String(error) };
    // A request cut off by the deadline may or may not have reached the bus: sending the events
    // again is safe (recording is idempotent), so they are reported as retryable.
    if (isTransientError(error) || signal?.aborted) retry.push(...batch);
    else for (const p of batch) outcomes[p.index] = failure(p, false);
  }
}
