import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditSweep, type SweepCursor } from '../lambda/audit/adapters/audit-sweep.ts';
import { AUDIT_DEFAULTS } from '../lambda/audit/constants.ts';
import { STOP_CONDITION_DEFAULTS, type StopConditionSettings } from '../lambda/rollout/constants.ts';
import type { AlarmState } from '../lambda/rollout/domain/rollout.ts';

import { errorRateBreaches } from '../lambda/rollout/domain/stop-conditions.ts';

/**
 * The local stop conditions, one per failure the rollout plan names (plus dead letters and
 * conflicts, as deployed), named like the alarms they stand for.
 */
export const LOCAL_STOP_CONDITIONS = {
  errorRate: 'local-IntegrationErrorRate',
  deadLetters: 'local-DeadLetters',
  conflicts: 'local-IdempotencyConflicts',
  database: 'local-DatabaseDegradation',
  duplicates: 'local-Duplicates',
} as const;

/** Prefix of an outside alarm set with `SetAlarmState` (the platform's alarms, locally). */
export const LOCAL_OUTSIDE_ALARM_PREFIX = 'outside-';

/** Counts of what the local integration did, since the stack started. */
export interface DeliveryCounters {
  /** Delivery attempts to the recording handler (the deployed `Invocations`). */
  deliveries: number;
  /** Attempts that threw (the deployed `Errors`). */
  errors: number;
  /** Events given up after every attempt (the deployed delivery dead-letter queue). */
  givenUp: number;
  /** Stream records the statistics gave up on. */
  statisticsFailures: number;
  /** Dead letters: invalid events and events given up. */
  deadLetters: number;
  conflicts: number;
  /** DynamoDB answers that were throttles or server errors (each attempt, retried or not). */
  dynamoFaults: number;
  /** Duplicate activities and drifted users the audit found. */
  duplicates: number;
  drifted: number;
}

/** No counts. */
export function zeroCounters(): DeliveryCounters {
  return {
    deliveries: 0,
    errors: 0,
    givenUp: 0,
    statisticsFailures: 0,
    deadLetters: 0,
    conflicts: 0,
    dynamoFaults: 0,
    duplicates: 0,
    drifted: 0,
  };
}

/** Everything the local stop conditions read: counters since the rollout started and the outside world. */
export interface LocalSignals {
  readonly since: DeliveryCounters;
  readonly now: DeliveryCounters;
  /** Recording durations (ms) since the rollout started. */
  readonly durationsMs: readonly number[];
  /** Outside alarms (the platform's) in ALARM, by name, with their reasons. */
  readonly outside: ReadonlyMap<string, string>;
  readonly settings?: StopConditionSettings | undefined;
}

/** The 99th percentile (nearest rank), or 0 without samples. */
export function p99(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 0;
}

const state = (name: string, reason: string | undefined): AlarmState =>
  reason === undefined ? { name, state: 'OK' } : { name, state: 'ALARM', reason };

/**
 * The local stop conditions from the counters accumulated since a rollout started. Pure. The error
 * rate uses the deployed formula, threshold and minimum-sample floor over the whole window (there
 * are no periods locally, so no M of N).
 */
export function localStopConditions(signals: LocalSignals): AlarmState[] {
  const settings = signals.settings ?? STOP_CONDITION_DEFAULTS;
  const d = (key: keyof DeliveryCounters) => signals.now[key] - signals.since[key];
  const errors = d('errors') + d('givenUp') + d('statisticsFailures');
  const handled = d('deliveries');
  const duration = p99(signals.durationsMs);
  const slow = duration > settings.recordingDurationP99Ms;
  return [
    state(
      LOCAL_STOP_CONDITIONS.errorRate,
      errorRateBreaches({ errors, handled }, settings)
        ? `${errors} integration errors in ${handled} events handled (${((100 * errors) / handled).toFixed(2)}% > ${settings.errorRateThresholdPercent}%, at least ${settings.errorRateMinEvents} events)`
        : undefined,
    ),
    state(
      LOCAL_STOP_CONDITIONS.deadLetters,
      d('deadLetters') > 0
        ? `${d('deadLetters')} dead letter(s) stored since the rollout started: see \`tpi dead-letters list\``
        : undefined,
    ),
    state(
      LOCAL_STOP_CONDITIONS.conflicts,
      d('conflicts') > 0
        ? `${d('conflicts')} idempotency conflict(s) since the rollout started: a publisher reused a key`
        : undefined,
    ),
    state(
      LOCAL_STOP_CONDITIONS.database,
      d('dynamoFaults') > 0 || slow
        ? [
            d('dynamoFaults') > 0 ? `${d('dynamoFaults')} DynamoDB throttle(s) or server error(s)` : '',
            slow ? `recording p99 ${Math.round(duration)} ms > ${settings.recordingDurationP99Ms} ms` : '',
          ]
            .filter(Boolean)
            .join('; ')
        : undefined,
    ),
    state(
      LOCAL_STOP_CONDITIONS.duplicates,
      d('duplicates') > 0 || d('drifted') > 0
        ? `the audit found ${d('duplicates')} duplicate activit(ies) and ${d('drifted')} user(s) with drifted statistics: run \`tpi audit\``
        : undefined,
    ),
    ...[...signals.outside].map(([name, reason]) => state(name, reason)),
  ];
}

/**
 * What DynamoDB itself reports as a throttle or a system error (its `ThrottledRequests` and
 * `SystemErrors` metrics, which the deployed stop condition watches). Not the transient rule of
 * lambda/shared/transient-errors.ts: a timeout or a lost connection is the client's, and AWS
 * would not count it either.
 */
const DYNAMODB_FAULT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);

/**
 * Counts DynamoDB throttles and server errors on `client`, every attempt, including those the
 * SDK's retries hide: the local counterpart of `ThrottledRequests` and `SystemErrors`.
 */
export function watchDynamoFaults(client: DynamoDBClient, onFault: () => void): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (DYNAMODB_FAULT_NAMES.has(e.name ?? '') || (e.$metadata?.httpStatusCode ?? 0) >= 500) onFault();
        throw error;
      }
    },
    { step: 'deserialize', name: 'localStopConditionFaults' },
  );
}

/**
 * The scheduled audit, locally: each call is one sweep run over the local tables, continuing where
 * the previous run stopped (the cursor lives in memory), with the deployed per-run budgets.
 */
export function localAudit(
  client: DynamoDBDocumentClient,
  tables: { readonly activities: string; readonly stats: string },
): () => Promise<{ duplicates: number; drifted: number }> {
  let cursor: SweepCursor;
  return async () => {
    const result = await auditSweep({
      client,
      tables: { activities: tables.activities, stats: tables.stats },
      settings: AUDIT_DEFAULTS,
      cursor,
    });
    cursor = result.cursor;
    return { duplicates: result.duplicates, drifted: result.drifted };
  };
}
