import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecordSummary } from '../lambda/recording/adapters/telemetry.ts';
import { AUDIT_METRIC, type DeployedName, METRIC } from '../lambda/shared/observability.ts';
import type { TableNames } from '../lambda/shared/tables.ts';
import type { LocalMetric, LocalMetricStore } from './metric-store.ts';

/**
 * What the local stack tells its metric store, named as the deployed metrics are: the recording
 * function's `AWS/Lambda` metrics, the delivery dead-letter queue's `AWS/SQS` metric, DynamoDB's per
 * table and operation, and the integration's own (included events, invalid events, conflicts,
 * statistics failures, audit findings and runs).
 */

const own = (metricName: string): LocalMetric => ({
  source: 'integration',
  metricName,
  dimensions: { service: 'service' },
});
const recording = (metricName: string): LocalMetric => ({
  source: 'AWS/Lambda',
  metricName,
  dimensions: { FunctionName: 'recording-function' },
});
const DELIVERY_DEAD_LETTERS: LocalMetric = {
  source: 'AWS/SQS',
  metricName: 'NumberOfMessagesSent',
  dimensions: { QueueName: 'delivery-dead-letters' },
};

/** The local stack's metric feeds, over one store. */
export class LocalMetrics {
  constructor(readonly store: LocalMetricStore) {}

  /** An event with a user the flag includes is about to be written (`IncludedEvents`). */
  included(): void {
    this.store.put(own(METRIC.included), 1);
  }

  /** One delivery attempt to the recording function and its duration (`Invocations`, `Duration`). */
  invocation(durationMs: number, failed: boolean): void {
    this.store.put(recording('Invocations'), 1);
    this.store.put(recording('Duration'), durationMs);
    if (failed) this.failed();
  }

  /** A delivery attempt failed (`Errors`): it is retried or given up. */
  failed(): void {
    this.store.put(recording('Errors'), 1);
  }

  /** An event given up after every attempt: a message in the delivery dead-letter queue. */
  gaveUp(): void {
    this.store.put(DELIVERY_DEAD_LETTERS, 1);
  }

  /** What recording one event did: invalid events and conflicts are the paging alarms' metrics. */
  delivered(summary: RecordSummary): void {
    if (summary.status === 'invalid') this.store.put(own(METRIC.invalid), 1);
    else if (summary.conflicts > 0) this.store.put(own(METRIC.conflict), summary.conflicts);
  }

  /** Stream records the statistics gave up on (`StatisticsRecordsFailed`). */
  statisticsFailed(records: number): void {
    this.store.put(own(METRIC.statsFailed), records);
  }

  /** What one audit found, and whether it was a run of the scheduled sweep (`AuditRuns`). */
  audited(
    found: { readonly duplicates: number; readonly drifted: number; readonly usersChecked: number },
    run: boolean,
  ): void {
    this.store.put(own(AUDIT_METRIC.duplicates), found.duplicates);
    this.store.put(own(AUDIT_METRIC.drift), found.drifted);
    this.store.put(own(AUDIT_METRIC.usersChecked), found.usersChecked);
    if (run) this.store.put(own(AUDIT_METRIC.runs), 1);
  }

  /** `IncludedEvents` since `since` (epoch ms): a rollout step's traffic. */
  includedSince(since: number): number {
    return this.store.sumSince(own(METRIC.included), since);
  }
}

/**
 * What DynamoDB itself reports as a throttle (`ThrottledRequests`). Not the transient rule of
 * lambda/shared/transient-errors.ts: a timeout or a lost connection is the client's, and AWS would
 * not count it either.
 */
const THROTTLES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** The table a request is about: its `TableName`, or the first table of a batch or a transaction. */
function tableOf(input: Record<string, unknown>): string | undefined {
  if (typeof input.TableName === 'string') return input.TableName;
  const batch = input.RequestItems as Record<string, unknown> | undefined;
  if (batch) return Object.keys(batch)[0];
  const first = (input.TransactItems as Record<string, { TableName?: string }>[] | undefined)?.[0];
  return first ? Object.values(first)[0]?.TableName : undefined;
}

/**
 * DynamoDB's per-table metrics from a client's requests, every attempt (the SDK's retries
 * included): `SuccessfulRequestLatency` of each successful request in ms, `ThrottledRequests` and
 * `SystemErrors` (HTTP 5xx), by table and operation, as DynamoDB publishes them.
 */
export function watchDynamoMetrics(client: DynamoDBClient, tables: TableNames, metrics: LocalMetrics): void {
  const deployed: Record<string, DeployedName> = {
    [tables.activities]: 'activities-table',
    [tables.stats]: 'statistics-table',
    [tables.deadLetters]: 'dead-letters-table',
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const table = deployed[tableOf(args.input as Record<string, unknown>) ?? ''];
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const metric = (metricName: string): LocalMetric => ({
        source: 'AWS/DynamoDB',
        metricName,
        dimensions: { TableName: table as DeployedName, Operation: { value: operation } },
      });
      const started = performance.now();
      try {
        const result = await next(args);
        if (table) metrics.store.put(metric('SuccessfulRequestLatency'), performance.now() - started);
        return result;
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (table && THROTTLES.has(e.name ?? '')) metrics.store.put(metric('ThrottledRequests'), 1);
        else if (table && (e.$metadata?.httpStatusCode ?? 0) >= 500)
          metrics.store.put(metric('SystemErrors'), 1);
        throw error;
      }
    },
    { step: 'deserialize', name: 'localDynamoMetrics' },
  );
}
