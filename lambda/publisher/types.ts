import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DetailInputOf, DetailType } from '../shared/contract/event-types.ts';
import type { FailureMetricOptions } from './failure-metric.ts';

/** One event to publish: a contract event type and its detail, typed by the type. */
export type PublishEntry = {
  [T in DetailType]: { readonly detailType: T; readonly detail: DetailInputOf<T> };
}[DetailType];

/** An event EventBridge accepted. */
export interface PublishedEvent {
  /** Position in the `publishMany` input (0 for `publish`). */
  readonly index: number;
  readonly detailType: DetailType;
  /** The id EventBridge gave the event (for tracing only; recording never keys on it). */
  readonly eventId: string;
  /** How many times the entry was sent, 1 when it went through the first time. */
  readonly attempts: number;
}

/** An event that was not published in the end. */
export interface FailedEvent {
  readonly index: number;
  readonly detailType: string;
  /** The detail as given, so the caller can keep it and send it again later. */
  readonly detail: unknown;
  /**
   * EventBridge's per-entry `ErrorCode` (`ThrottlingException`, `InternalFailure`, `MalformedDetail`, ...),
   * the name of the error a request failed with, or `ValidationError` (safe mode, contract violation).
   */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** How many times the entry was sent (0 when it was never sent). */
  readonly attempts: number;
  /** Whether sending it again later may succeed (it failed on something transient). */
  readonly retryable: boolean;
}

/** What a publish call achieved. */
export interface PublishResult {
  readonly published: readonly PublishedEvent[];
  /** Empty when everything went out. */
  readonly failed: readonly FailedEvent[];
  /** PutEvents requests made, retries included. */
  readonly requests: number;
}

/** The part of a logger the publisher uses; Powertools' `Logger` and `console` both fit. */
export interface PublisherLogger {
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

/** Options of {@link TournamentEventPublisher}. */
export interface TournamentEventPublisherOptions {
  /**
   * The EventBridge client. @default a new client with the SDK's own retries off
   * (`maxAttempts: 1`), so only this publisher retries, and only the entries that failed.
   */
  readonly client?: EventBridgeClient;
  /** Name or ARN of the bus the stack deployed (default stack name: `tournaments`). */
  readonly eventBusName: string;
  /** The events' `source`; must match the stack's configured source. @default 'tournaments' */
  readonly source?: string;
  /** Sends per entry, the first included. @default 5 */
  readonly maxAttempts?: number;
  /**
   * Time budget of one publish call in milliseconds, retries and waits included: after it, what has
   * not gone out is reported as failed instead of keeping the caller waiting. @default 10000
   */
  readonly deadlineMs?: number;
  /** First retry's backoff window in milliseconds (full jitter, doubling per retry). @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff window in milliseconds. @default 5000 */
  readonly maxDelayMs?: number;
  /** Most PutEvents requests in flight at once. @default 4 */
  readonly maxConcurrentRequests?: number;
  /**
   * Never throw into the caller's business path: invalid events and unexpected errors become
   * `failed` entries, reported to `onFailure` and `logger`. @default false (invalid events throw
   * {@link PublishValidationError}; delivery failures are returned in the result either way)
   */
  readonly safe?: boolean;
  /**
   * Called once per publish call with the events that finally failed, e.g. to keep them in an
   * outbox. An error it throws is logged in safe mode and propagates otherwise.
   */
  readonly onFailure?: (failed: readonly FailedEvent[], result: PublishResult) => void | Promise<void>;
  /** Receives a warning per publish call with failures; nothing is logged when everything went out. */
  readonly logger?: PublisherLogger;
  /**
   * Report each call's unpublished events as the CloudWatch metric `PublishFailures` (embedded
   * metric format on stdout): one of the rollout's stop conditions, with no code on the platform's
   * side. @default off
   */
  readonly failureMetric?: FailureMetricOptions;
}
