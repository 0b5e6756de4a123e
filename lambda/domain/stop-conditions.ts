/**
 * The four stop conditions of a rollout: their settings, and each alarm's definition declared once
 * (metric, statistic, period, threshold, M of N, missing data). The deployed alarms
 * (infra/constructs/stop-condition-alarms.ts) are rendered from these definitions and the local
 * stack evaluates the same ones, so both trip on the same numbers. Declarative and pure: no CDK,
 * no SDK, no Powertools. docs/deploy.md explains each default.
 */
import { AUDIT_METRIC } from './audit-sweep.ts';
import {
  type AlarmComparison,
  compare,
  METRIC,
  type MetricDefinition,
  type MissingData,
  PUBLISH_FAILURES_METRIC,
  type SignalDefinition,
} from './observability.ts';

/** The failures the rollout plan names; every stop-condition alarm belongs to one of them. */
export const STOP_CONDITION_KINDS = [
  'integration-error-rate',
  'tournament-operations',
  'database-degradation',
  'duplicates',
] as const;
export type StopConditionKind = (typeof STOP_CONDITION_KINDS)[number];

/** One stop-condition alarm, declared once: the stack renders it, the local stack evaluates it. */
export interface StopConditionAlarmDefinition {
  /** Construct id of the alarm, also its name's distinctive part. */
  readonly id: string;
  readonly kind: StopConditionKind;
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

/** Whether one period's value breaches a definition's threshold. */
export const breaches = (definition: StopConditionAlarmDefinition, value: number): boolean =>
  compare(definition.comparison, value, definition.threshold);

/** The DynamoDB operations each table serves (its metrics' `Operation` dimension). */
export const TABLE_OPERATIONS = {
  'activities-table': ['PutItem', 'Query'],
  'statistics-table': ['BatchGetItem', 'TransactWriteItems', 'Query'],
  'dead-letters-table': ['PutItem'],
} as const;

/** Settings of the stop conditions; every one is a CDK context key of the same name. */
export interface StopConditionSettings {
  /** Integration errors in percent of included events above which the rollout stops. */
  readonly errorRateThresholdPercent: number;
  /** Fewer included events in a period than this: the period does not breach (too few to judge). */
  readonly errorRateMinEvents: number;
  /** M of N: breaching periods needed (M) among the last evaluated (N). */
  readonly errorRateDatapoints: number;
  readonly errorRateEvaluationPeriods: number;
  /** Average `SuccessfulRequestLatency` of a table's operations, in ms (DynamoDB has no percentiles). */
  readonly dynamoLatencyAverageMs: number;
  /** p99 duration of the recording function, in ms (Lambda publishes percentiles of Duration). */
  readonly recordingDurationP99Ms: number;
}

/**
 * Defaults. 0.1% is the plan's threshold: one failure needs 1,000 events to stay under, so a period
 * counts only with 200 included events, and 2 breaching periods of 3 stop a real regression within
 * 10 to 15 minutes but never one bad period at canary traffic. Healthy on-demand tables answer in
 * single-digit milliseconds on average (tens for transactions and queries): an average of 100 ms
 * is several times any healthy operation. Recording runs well under 1 s; 10 s at p99 is stalling.
 */
export const STOP_CONDITION_DEFAULTS: StopConditionSettings = {
  errorRateThresholdPercent: 0.1,
  errorRateMinEvents: 200,
  errorRateDatapoints: 2,
  errorRateEvaluationPeriods: 3,
  dynamoLatencyAverageMs: 100,
  recordingDurationP99Ms: 10_000,
};

/** Period of every stop condition evaluated on 5-minute data. */
export const STOP_CONDITION_PERIOD_SECONDS = 300;

/** Latency, system errors and the recording duration degrade when 2 of 3 periods breach. */
export const DEGRADATION_DATAPOINTS = 2;
export const DEGRADATION_EVALUATION_PERIODS = 3;
/**
 * Throttling counts as degradation only when sustained: every one of 3 periods (15 minutes). A
 * burst is absorbed by the SDK's retries (and a request that still fails is an integration error);
 * throttling that lasts means the table cannot serve the load.
 */
export const SUSTAINED_THROTTLING_PERIODS = 3;

/** What an operator does after a stop condition fired, appended to every description. */
const AFTER =
  'While a rollout or its bake time is armed this rolls the flag back (fix the cause, then `tpi flag restore`); otherwise it pages only.';

/** One of the integration's own metrics (its namespace and `service` dimension): the sum. */
const own = (metricName: string): MetricDefinition =>
  ({ source: 'integration', metricName, dimensions: { service: 'service' }, statistic: 'Sum' }) as const;

/** What most definitions share: 5-minute periods, above the threshold, no data = nothing happened. */
const COMMON = {
  periodSeconds: STOP_CONDITION_PERIOD_SECONDS,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
} as const;
const DEGRADED = {
  datapointsToAlarm: DEGRADATION_DATAPOINTS,
  evaluationPeriods: DEGRADATION_EVALUATION_PERIODS,
};
const M_OF_N = `${DEGRADATION_DATAPOINTS} of ${DEGRADATION_EVALUATION_PERIODS} 5-minute periods`;

/** Integration errors over included events, with a floor of events per period. */
function errorRate(s: StopConditionSettings): StopConditionAlarmDefinition {
  const lambda = { FunctionName: 'recording-function' } as const;
  return {
    ...COMMON,
    id: 'IntegrationErrorRate',
    kind: 'integration-error-rate',
    signal: {
      form: 'ratio',
      numerator: [
        { source: 'AWS/Lambda', metricName: 'Errors', dimensions: lambda, statistic: 'Sum' },
        {
          source: 'AWS/SQS',
          metricName: 'NumberOfMessagesSent',
          dimensions: { QueueName: 'delivery-dead-letters' },
          statistic: 'Sum',
        },
        own(METRIC.statsFailed),
      ],
      denominator: own(METRIC.included),
      minDenominator: s.errorRateMinEvents,
      label: 'Integration errors (% of included events)',
    },
    threshold: s.errorRateThresholdPercent,
    datapointsToAlarm: s.errorRateDatapoints,
    evaluationPeriods: s.errorRateEvaluationPeriods,
    description: `Stop condition (integration error rate): recording errors, deliveries given up and statistics failures above ${s.errorRateThresholdPercent}% of the events with a user the flag includes (${METRIC.included}), in ${s.errorRateDatapoints} of ${s.errorRateEvaluationPeriods} 5-minute periods with at least ${s.errorRateMinEvents} such events. Read the recording function's error logs and the dead-letter queues. ${AFTER}`,
  };
}

/** The events the platform could not publish (the platform's own alarms are added by the stack). */
const publisherFailures = (): StopConditionAlarmDefinition => ({
  ...COMMON,
  id: 'PublisherFailures',
  kind: 'tournament-operations',
  signal: { form: 'metric', metric: own(PUBLISH_FAILURES_METRIC) },
  threshold: 0,
  datapointsToAlarm: 1,
  evaluationPeriods: 1,
  description: `Stop condition (tournament operations): the platform reported events it could not publish (${PUBLISH_FAILURES_METRIC}). Check the platform publisher's logs ("tournament events not published") and resend the events it kept. ${AFTER}`,
});

const TABLES = [
  ['Activities', 'activities-table'],
  ['Statistics', 'statistics-table'],
  ['DeadLetters', 'dead-letters-table'],
] as const;

/** Latency, system errors and sustained throttling of each table, over the operations it serves. */
function tableDegradation(s: StopConditionSettings): StopConditionAlarmDefinition[] {
  return TABLES.flatMap(([label, table]) => {
    const operations = TABLE_OPERATIONS[table];
    const per = (metricName: string, statistic: 'Average' | 'Sum' | 'SampleCount'): MetricDefinition[] =>
      operations.map((operation) => ({
        source: 'AWS/DynamoDB',
        metricName,
        dimensions: { TableName: table, Operation: { value: operation } },
        statistic,
      }));
    const base = { ...COMMON, kind: 'database-degradation' } as const;
    const ops = operations.join('/');
    const requests = per('SuccessfulRequestLatency', 'SampleCount');
    return [
      {
        ...base,
        ...DEGRADED,
        id: `${label}TableLatency`,
        signal: {
          form: 'worst',
          metrics: per('SuccessfulRequestLatency', 'Average'),
          label: `${label} latency`,
        },
        threshold: s.dynamoLatencyAverageMs,
        description: `Stop condition (database degradation): average latency of the ${label} table's ${ops} above ${s.dynamoLatencyAverageMs} ms in ${M_OF_N}. Check the AWS Health dashboard for DynamoDB and the table's hot keys. ${AFTER}`,
      },
      {
        ...base,
        ...DEGRADED,
        id: `${label}TableSystemErrors`,
        signal: {
          form: 'total',
          metrics: per('SystemErrors', 'Sum'),
          presence: requests,
          label: `${label} system errors`,
        },
        threshold: 0,
        description: `Stop condition (database degradation): the ${label} table returned system errors (HTTP 500) to ${ops} in ${M_OF_N}. Check the AWS Health dashboard for DynamoDB. ${AFTER}`,
      },
      {
        ...base,
        id: `${label}TableThrottledRequests`,
        signal: {
          form: 'total',
          metrics: per('ThrottledRequests', 'Sum'),
          presence: requests,
          label: `${label} throttles`,
        },
        threshold: 0,
        datapointsToAlarm: SUSTAINED_THROTTLING_PERIODS,
        evaluationPeriods: SUSTAINED_THROTTLING_PERIODS,
        description: `Stop condition (database degradation): the ${label} table throttled ${ops} in every one of ${SUSTAINED_THROTTLING_PERIODS} 5-minute periods (sustained, not a burst the SDK retried away). Check the table's hot partitions and the account's on-demand throughput limits. ${AFTER}`,
      },
    ];
  });
}

/** The recording function's duration: its DynamoDB writes, retries included, seen by the client. */
const recordingDuration = (s: StopConditionSettings): StopConditionAlarmDefinition => ({
  ...COMMON,
  ...DEGRADED,
  id: 'RecordingDuration',
  kind: 'database-degradation',
  signal: {
    form: 'metric',
    metric: {
      source: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: { FunctionName: 'recording-function' },
      statistic: 'p99',
    },
  },
  threshold: s.recordingDurationP99Ms,
  description: `Stop condition (database degradation): p99 duration of the recording function above ${s.recordingDurationP99Ms} ms in ${M_OF_N}: its DynamoDB writes are slow. Check the table latency alarms and the function's traces. ${AFTER}`,
});

/** What the scheduled audit found: activities recorded twice, statistics that drifted. */
function duplicates(auditPeriodSeconds: number): StopConditionAlarmDefinition[] {
  return (
    [
      ['AuditDuplicateActivities', AUDIT_METRIC.duplicates, 'activities recorded twice under different keys'],
      ['AuditStatisticsDrift', AUDIT_METRIC.drift, 'users whose statistics differ from their activities'],
    ] as const
  ).map(([id, metricName, meaning]) => ({
    ...COMMON,
    id,
    kind: 'duplicates',
    signal: { form: 'metric', metric: own(metricName) },
    periodSeconds: auditPeriodSeconds,
    threshold: 0,
    datapointsToAlarm: 1,
    evaluationPeriods: 1,
    description: `Stop condition (duplicates): the scheduled audit found ${meaning}. Find the users in the audit function's log ("scheduled audit run"), run \`tpi audit --user ID\`, and \`tpi audit --repair\` once the cause is fixed. ${AFTER}`,
  }));
}

/**
 * Every stop-condition alarm the integration defines, in a stable order. The platform's own alarms
 * (`platformAlarms`) are not defined here: they exist already and join the tournament-operations
 * condition as they are.
 */
export function stopConditionAlarmDefinitions(
  settings: StopConditionSettings,
  auditPeriodSeconds: number,
): StopConditionAlarmDefinition[] {
  return [
    errorRate(settings),
    publisherFailures(),
    ...tableDegradation(settings),
    recordingDuration(settings),
    ...duplicates(auditPeriodSeconds),
  ];
}

/** Integration errors and included events (`IncludedEvents`) over one period, or since a rollout started. */
export interface ErrorRateSample {
  readonly errors: number;
  readonly handled: number;
}

/**
 * Whether one period breaches the error-rate condition: the same formula as the deployed alarm's
 * metric math, `IF(included >= floor, 100 * errors / included, 0) > threshold`.
 */
export function errorRateBreaches(sample: ErrorRateSample, settings: StopConditionSettings): boolean {
  if (sample.handled < settings.errorRateMinEvents || sample.handled === 0) return false;
  return (100 * sample.errors) / sample.handled > settings.errorRateThresholdPercent;
}
