import { routingRules } from '../infra/routing.ts';
import type { RecordSummary } from '../lambda/recording/adapters/telemetry.ts';

import { backoff } from '../lambda/shared/backoff.ts';
import { type DeadLetterWriter, deadLetterFor } from '../lambda/shared/contract/dead-letter.ts';
import type { BridgeEvent } from '../lambda/shared/contract/events.ts';
import { TransientStoreError } from '../lambda/shared/errors.ts';
import { LocalEventBus } from './event-bus.ts';
import type { FlagWatch } from './flag-watch.ts';
import { LOCAL_INVOCATION_SECONDS } from './invocation-deadline.ts';
import type { LocalMetrics } from './metric-feeds.ts';

/** Options of {@link startLocalDelivery}. */
export interface LocalDeliveryOptions {
  readonly eventSource: string;
  /** JSON Lines file every routed event is appended to; replays read it. */
  readonly archiveFile: string;
  /** Attempts per event before it becomes a `delivery-failed` dead letter. */
  readonly deliveryAttempts: number;
  /** First retry delay in ms, doubled per retry. */
  readonly retryBaseMs: number;
  /** How long a `delivery-failed` dead letter keeps being retried when DynamoDB cannot store it, in ms. */
  readonly deadLetterRetryMs: number;
  readonly deadLetters: DeadLetterWriter;
  /** The recording handler; `undefined` until the endpoint it reads the flag from listens. */
  readonly recorder: () => ((event: BridgeEvent) => Promise<RecordSummary>) | undefined;
  /** The local CloudWatch's metrics: the recording function's and the delivery queue's. */
  readonly metrics: LocalMetrics;
  readonly flagWatch: FlagWatch;
  readonly log: (line: string) => void;
}

/** The dominant word of an outcome, for the one-line log. */
function outcomeWord(summary: RecordSummary): string {
  if (summary.status === 'invalid') return 'invalid';
  if (summary.conflicts > 0) return 'conflict';
  if (summary.recorded > 0) return 'recorded';
  if (summary.duplicates > 0) return 'duplicate';
  if (summary.erased > 0 && summary.skipped === 0) return 'erased';
  return 'skipped';
}

/** One readable line per delivered event. */
export function describeOutcome(event: BridgeEvent, summary: RecordSummary): string {
  const replay = event['replay-name'] ? ` (replay ${event['replay-name']})` : '';
  const word = outcomeWord(summary).padEnd(9);
  if (summary.status === 'invalid')
    return summary.erasedOnly
      ? `${word} ${event['detail-type']} → not stored (names only erased users): ${summary.reasons.join('; ')}${replay}`
      : `${word} ${event['detail-type']} → dead letter ${summary.deadLetterId}: ${summary.reasons.join('; ')}${replay}`;
  return (
    `${word} ${summary.detailType} ${summary.idempotencyKey}: ${summary.recorded} recorded, ` +
    `${summary.duplicates} duplicate, ${summary.conflicts} conflict, ${summary.skipped} skipped (flag ${summary.flag}), ` +
    `${summary.erased} erased${replay}`
  );
}

/**
 * Stores an event the bus gave up on as a `delivery-failed` dead letter. Deliveries give up exactly
 * when storage is down, so a transient store failure is retried until `retryMs` has passed; after
 * that the log says how to get the event back (it is still in the archive).
 */
async function storeDeliveryFailure(
  options: LocalDeliveryOptions,
  event: BridgeEvent,
  attempts: number,
  error: unknown,
): Promise<void> {
  const { log } = options;
  const reason = `not delivered after ${attempts} attempts: ${(error as Error).message}`;
  const deadLetter = deadLetterFor(event, 'delivery-failed', [reason], new Date());
  log(`failed    ${event['detail-type']} → dead letter ${deadLetter.deadLetterId}: ${reason}`);
  const retryUntil = Date.now() + options.deadLetterRetryMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await options.deadLetters.put(deadLetter);
      return;
    } catch (storeError) {
      if (!(storeError instanceof TransientStoreError) || Date.now() >= retryUntil) {
        log(
          `failed    could not store dead letter ${deadLetter.deadLetterId}: ${(storeError as Error).message}; ` +
            'the event is still in the archive: replay its time window once DynamoDB answers again',
        );
        return;
      }
      await backoff(attempt, { baseDelayMs: 100, maxDelayMs: 2000 });
    }
  }
}

/**
 * The local bus with the deployed routing rules and its archive, delivering to the recording
 * handler: one log line per outcome, the recording function's metrics (invocations, duration,
 * errors) and the delivery queue's in the local CloudWatch, and unmatched events dropped as EventBridge drops them (silently there, logged here).
 */
export function startLocalDelivery(options: LocalDeliveryOptions): LocalEventBus<RecordSummary> {
  const { log, metrics, flagWatch } = options;
  return new LocalEventBus<RecordSummary>({
    rules: routingRules(options.eventSource),
    target: (event) => {
      const record = options.recorder();
      if (!record) throw new Error('the recording handler is not ready yet');
      const started = performance.now();
      return record(event).finally(() => metrics.invocation(performance.now() - started, false));
    },
    archiveFile: options.archiveFile,
    deliveryAttempts: options.deliveryAttempts,
    deliveryTimeoutMs: LOCAL_INVOCATION_SECONDS * 1000,
    retryBaseMs: options.retryBaseMs,
    onDelivered: (event, summary) => {
      log(describeOutcome(event, summary));
      if (summary.status !== 'invalid') flagWatch.delivered(summary.flag);
      metrics.delivered(summary);
    },
    onUnmatched: (event) =>
      log(
        `dropped   ${event['detail-type']} ${event.id} (no rule matched: source ${JSON.stringify(event.source)}, ` +
          `detail-type ${JSON.stringify(event['detail-type'])}); EventBridge drops it silently`,
      ),
    onBackgroundError: (message) => log(`failed    ${message}`),
    onRetry: (event, attempt, error) => {
      metrics.failed();
      log(
        `retry     ${event['detail-type']} ${event.id}: attempt ${attempt} failed: ${(error as Error).message}`,
      );
    },
    onGiveUp: async (event, attempts, error) => {
      metrics.failed();
      metrics.gaveUp();
      await storeDeliveryFailure(options, event, attempts, error);
    },
  });
}
