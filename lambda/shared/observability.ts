/**
 * Names and defaults of the integration's logs and metrics, free of Powertools and of the
 * environment: the stack, the dashboard and the alarms import them at synth time, and the functions
 * count under them (lambda/shared/aws/metrics.ts). Every metric name of the integration is here,
 * once, so no two features can count different things under one name. What a deployed function
 * uses comes from the environment the stack gives it, never from the synth machine's.
 */

/** Service name of logs and the metrics' `service` dimension, unless the stack sets another. */
export const DEFAULT_SERVICE_NAME = 'tournament-profile-integration';

/** Namespace of every metric the integration emits, unless the stack sets another. */
export const DEFAULT_METRICS_NAMESPACE = 'TournamentProfileIntegration';

/** Names of the recording and statistics functions' metrics, read by the dashboard and the alarms. */
export const METRIC = {
  recorded: 'ActivitiesRecorded',
  duplicate: 'DuplicateActivities',
  conflict: 'IdempotencyConflicts',
  skipped: 'SkippedByFlag',
  /** Users skipped because they are erased (apart from the flag's skips). */
  skippedErased: 'SkippedErased',
  invalid: 'InvalidEvents',
  flagMisconfigured: 'FlagMisconfigured',
  /** SSM could not be read and the flag's last known value was used. */
  flagStale: 'FlagStaleReads',
  /** The erasure log could not be read and the last known set of erased users was used. */
  erasureLogStale: 'ErasureLogStaleReads',
  statsApplied: 'StatisticsApplied',
  statsAlreadyApplied: 'StatisticsAlreadyApplied',
  statsFailed: 'StatisticsRecordsFailed',
  statsSkippedErased: 'StatisticsSkippedErased',
  /**
   * Events with at least one user the flag includes, one per recording invocation that got past
   * the flag (a retried event counts again, as Lambda's `Errors` does): the denominator of the
   * integration error rate and of a rollout step's traffic gate. Skipped users' events are not in it.
   */
  included: 'IncludedEvents',
} as const;

/** Metric names the scheduled audit publishes (namespace and `service` dimension of the integration). */
export const AUDIT_METRIC = {
  duplicates: 'AuditDuplicateActivities',
  drift: 'AuditStatisticsDrift',
  usersChecked: 'AuditUsersChecked',
  runs: 'AuditRuns',
} as const;

/** Name of the metric a publisher reports its unpublished events under; a stop condition of the rollout. */
export const PUBLISH_FAILURES_METRIC = 'PublishFailures';

/** Statistics an alarm may ask for: the five every metric has, or a percentile such as `p99`. */
export type Statistic = 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount' | `p${number}`;

/**
 * A resource of a deployment whose name a metric dimension holds. The CDK stack resolves each to
 * the deployed resource, the local stack to its own; `service` is the stage's Powertools service.
 */
export type DeployedName =
  | 'service'
  | 'recording-function'
  | 'delivery-dead-letters'
  | 'activities-table'
  | 'statistics-table'
  | 'dead-letters-table';

/** One CloudWatch metric and the statistic read of it, with no deployment-specific value in it. */
export interface MetricDefinition {
  /** An AWS namespace, or `integration`: the stack's own namespace (`metricsNamespace`). */
  readonly source: 'AWS/Lambda' | 'AWS/SQS' | 'AWS/DynamoDB' | 'integration';
  readonly metricName: string;
  /** Each dimension's value: the name of a deployed resource, or a fixed value. */
  readonly dimensions: Readonly<Record<string, DeployedName | { readonly value: string }>>;
  readonly statistic: Statistic;
}

/**
 * What an alarm compares with its threshold, per period. Every form reads a missing datapoint as
 * 0 (CloudWatch's `FILL(m, 0)`): no data means nothing happened.
 * - `metric`: one metric;
 * - `worst` / `total`: the largest / the sum of several (`MAX([...])` / `SUM([...])`);
 * - `ratio`: `IF(denominator >= minDenominator, 100 * SUM(numerator) / denominator, 0)`, a percentage
 *   that does not breach on too few events.
 */
export type SignalDefinition =
  | { readonly form: 'metric'; readonly metric: MetricDefinition }
  | {
      readonly form: 'worst' | 'total';
      readonly metrics: readonly MetricDefinition[];
      readonly label: string;
      /**
       * Metrics that have data whenever the resource is used: the signal is 0, not missing, at
       * their datapoints. DynamoDB publishes `ThrottledRequests` and `SystemErrors` only when they
       * are not zero, and alarms on `AWS/DynamoDB` metrics ignore missing data (they keep their
       * state), so without them an alarm would stay in ALARM after the errors stopped.
       */
      readonly presence?: readonly MetricDefinition[];
    }
  | {
      readonly form: 'ratio';
      readonly numerator: readonly MetricDefinition[];
      readonly denominator: MetricDefinition;
      readonly minDenominator: number;
      readonly label: string;
    };

/** How an alarm compares its signal with the threshold (CloudWatch's `ComparisonOperator`). */
export type AlarmComparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';

/** How an alarm treats a period without data (CloudWatch's `TreatMissingData`). */
export type MissingData = 'notBreaching' | 'breaching' | 'ignore' | 'missing';

/**
 * One metric alarm, declared once: the stack renders it (infra/constructs/alarm-definitions.ts) and
 * the local stack evaluates it (local/alarm-evaluator.ts) with the same metrics, statistics,
 * periods, M of N and missing-data handling.
 */
export interface AlarmDefinition {
  /** Construct id of the alarm, also its name's distinctive part. */
  readonly id: string;
  readonly signal: SignalDefinition;
  readonly periodSeconds: number;
  readonly threshold: number;
  readonly comparison: AlarmComparison;
  /** M of N: breaching periods (M) among the last evaluated (N). */
  readonly datapointsToAlarm: number;
  readonly evaluationPeriods: number;
  readonly treatMissingData: MissingData;
  /** What it means and what the operator does next (the alarm's description). */
  readonly description: string;
}

/** Every metric a signal reads, in a stable order (numerator, then denominator; presence last). */
export function signalMetrics(signal: SignalDefinition): readonly MetricDefinition[] {
  if (signal.form === 'metric') return [signal.metric];
  if (signal.form === 'ratio') return [...signal.numerator, signal.denominator];
  return [...signal.metrics, ...(signal.presence ?? [])];
}
