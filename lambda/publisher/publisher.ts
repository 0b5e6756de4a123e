import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type * as z from 'zod/mini';
import { DEFAULT_EVENT_SOURCE } from '../shared/contract/defaults.ts';
import { type DetailInputOf, type DetailType, eventTypeOf } from '../shared/contract/event-types.ts';
import { checkDetail } from '../shared/contract/events.ts';
import { type PublishIssue, PublishValidationError } from './errors.ts';
import { type FailureMetricOptions, reportFailureMetric } from './failure-metric.ts';
import { type SendOutcome, sendEntries } from './send.ts';
import type {
  FailedEvent,
  PublishEntry,
  PublishedEvent,
  PublisherLogger,
  PublishResult,
  TournamentEventPublisherOptions,
} from './types.ts';

interface Pending {
  readonly index: number;
  readonly detailType: DetailType;
  readonly detail: unknown;
  readonly entry: PutEventsRequestEntry;
}

/** What the recording side would say of a detail, by the very rules it judges with (`checkDetail`). */
function issuesOf(
  index: number,
  detailType: string,
  detail: unknown,
): { issues: PublishIssue[]; cause?: z.core.$ZodError } {
  const issue = (path: string, message: string): PublishIssue => ({ index, detailType, path, message });
  const definition = eventTypeOf(detailType);
  if (!definition)
    return { issues: [issue('', `${JSON.stringify(detailType)} is not one of the contract's event types`)] };
  const checked = checkDetail(definition, detail);
  if (checked.ok) return { issues: [] };
  return { issues: checked.issues.map((i) => issue(i.path, i.message)), cause: checked.cause };
}

/**
 * Publishes tournament events to EventBridge for the profile integration.
 *
 * Every event is checked against the contract before anything is sent (the same zod schemas the
 * recording side validates with), requests are packed up to 10 entries and 1 MB, and only the
 * entries that failed are resent, with full-jitter exponential backoff, until `maxAttempts` or the
 * deadline. Publish after the platform's database transaction has committed (see docs/publishing.md).
 *
 * @example
 * const publisher = new TournamentEventPublisher({ eventBusName: 'tournaments', safe: true });
 * await publisher.publish('CheckInToggled', {
 *   tournamentId: 7, occurredAt: new Date().toISOString(), registrationId: 77, checkedIn: true, userIds: [42],
 * });
 */
export class TournamentEventPublisher {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string;
  readonly #source: string;
  readonly #maxAttempts: number;
  readonly #deadlineMs: number;
  readonly #backoff: { baseDelayMs: number; maxDelayMs: number };
  readonly #concurrency: number;
  readonly #safe: boolean;
  readonly #onFailure: TournamentEventPublisherOptions['onFailure'];
  readonly #logger: PublisherLogger | undefined;
  readonly #failureMetric: FailureMetricOptions | undefined;

  constructor(options: TournamentEventPublisherOptions) {
    if (!options.eventBusName)
      throw new TypeError(
        'eventBusName is required: pass the name or ARN of the stack\'s bus, e.g. "tournaments"',
      );
    this.#client = options.client ?? new EventBridgeClient({ maxAttempts: 1 });
    this.#eventBusName = options.eventBusName;
    this.#source = options.source ?? DEFAULT_EVENT_SOURCE;
    this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
    this.#deadlineMs = options.deadlineMs ?? 10_000;
    this.#backoff = { baseDelayMs: options.baseDelayMs ?? 100, maxDelayMs: options.maxDelayMs ?? 5_000 };
    this.#concurrency = Math.max(1, options.maxConcurrentRequests ?? 4);
    this.#safe = options.safe ?? false;
    this.#onFailure = options.onFailure;
    this.#logger = options.logger;
    this.#failureMetric = options.failureMetric;
  }

  /**
   * Publishes one event.
   * @throws PublishValidationError when the detail breaks the contract (never in safe mode)
   */
  publish<T extends DetailType>(detailType: T, detail: DetailInputOf<T>): Promise<PublishResult> {
    return this.publishMany([{ detailType, detail } as PublishEntry]);
  }

  /**
   * Publishes events in as few requests as the limits allow. Validation is all or nothing: when one
   * event is invalid, none is sent (in safe mode the valid ones still go and the invalid ones are
   * reported as failed).
   * @throws PublishValidationError naming every invalid field (never in safe mode)
   */
  async publishMany(entries: readonly PublishEntry[]): Promise<PublishResult> {
    if (!this.#safe) return this.#publish(entries);
    try {
      return await this.#publish(entries);
    } catch (error) {
      // Only a defect gets here (validation is reported, not thrown, in safe mode): still keep it out of the caller's path.
      const failed = entries.map((e, index) => ({
        index,
        detailType: e.detailType,
        detail: e.detail,
        errorCode: (error as Error)?.name ?? 'Error',
        errorMessage: (error as Error)?.message ?? String(error),
        attempts: 0,
        retryable: false,
      }));
      const result = { published: [], failed, requests: 0 };
      await this.#report(result);
      return result;
    }
  }

  async #publish(entries: readonly PublishEntry[]): Promise<PublishResult> {
    const deadline = Date.now() + this.#deadlineMs;
    const failed: FailedEvent[] = [];
    const pending: Pending[] = [];
    const issues: PublishIssue[] = [];
    let cause: z.core.$ZodError | undefined;
    entries.forEach(({ detailType, detail }, index) => {
      const found = issuesOf(index, detailType, detail);
      if (found.issues.length === 0) {
        const entry = {
          EventBusName: this.#eventBusName,
          Source: this.#source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        };
        pending.push({ index, detailType, detail, entry });
        return;
      }
      issues.push(...found.issues);
      cause ??= found.cause;
      failed.push({
        index,
        detailType,
        detail,
        errorCode: 'ValidationError',
        errorMessage: found.issues
          .map((i) => `${i.path ? `detail.${i.path}` : 'detail'}: ${i.message}`)
          .join('; '),
        attempts: 0,
        retryable: false,
      });
    });
    if (issues.length > 0 && !this.#safe) throw new PublishValidationError(issues, { cause });

    const { published, requests } = await this.#send(pending, deadline, failed);
    const result: PublishResult = {
      published: published.sort((a, b) => a.index - b.index),
      failed: failed.sort((a, b) => a.index - b.index),
      requests,
    };
    if (result.failed.length > 0) await this.#report(result);
    return result;
  }

  /** Sends the valid events; the ones that finally failed are added to `failed`. */
  async #send(pending: readonly Pending[], deadline: number, failed: FailedEvent[]) {
    const { outcomes, requests } = await sendEntries(
      pending.map((p) => p.entry),
      {
        client: this.#client,
        maxAttempts: this.#maxAttempts,
        deadline,
        backoff: this.#backoff,
        concurrency: this.#concurrency,
      },
    );
    const published: PublishedEvent[] = [];
    pending.forEach(({ index, detailType, detail }, i) => {
      const outcome = outcomes[i] as SendOutcome;
      if (outcome.ok)
        published.push({ index, detailType, eventId: outcome.eventId, attempts: outcome.attempts });
      else {
        const { errorCode, errorMessage, attempts, retryable } = outcome;
        failed.push({ index, detailType, detail, errorCode, errorMessage, attempts, retryable });
      }
    });
    return { published, requests };
  }

  async #report(result: PublishResult): Promise<void> {
    if (this.#failureMetric) reportFailureMetric(this.#failureMetric, result.failed.length);
    try {
      this.#logger?.warn('tournament events not published: keep them and send them again', {
        failed: result.failed.map(({ index, detailType, errorCode, errorMessage, attempts, retryable }) => ({
          index,
          detailType,
          errorCode,
          errorMessage,
          attempts,
          retryable,
        })),
        published: result.published.length,
      });
      await this.#onFailure?.(result.failed, result);
    } catch (error) {
      if (!this.#safe) throw error;
      try {
        this.#logger?.error('onFailure threw while reporting unpublished tournament events', { error });
      } catch {
        // Safe mode promises the caller's path never sees an error, not even the logger's.
      }
    }
  }
}
