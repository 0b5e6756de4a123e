/**
 * The rollout's settings and names that the stack, the local stack and the functions share: the
 * four stop conditions of the plan, each alarm's definition declared once (metric, statistic,
 * period, threshold, M of N, missing data), the step machine's budget, the parameters and alarm
 * names the functions read, and the flag values a rollback writes and saves. The deployed alarms
 * (infra/constructs/stop-condition-alarms.ts) are rendered from these definitions and the local
 * stack evaluates the same ones (local/alarm-evaluator.ts), so both trip on the same numbers.
 * Pure values: no CDK, no SDK, no Powertools. docs/deploy.md explains each default.
 */
import {
  type AlarmDefinition,
  AUDIT_METRIC,
  METRIC,
  type MetricDefinition,
  PUBLISH_FAILURES_METRIC,
} from '../shared/observability.ts';

/** The failures the rollout plan names; every stop-condition alarm belongs to one of them. */
export const STOP_CONDITION_KINDS = [
  'integration-error-rate',
  'tournament-operations',
  'database-degradation',
  'duplicates',
] as const;
export type StopConditionKind = (typeof STOP_CONDITION_KINDS)[number];

/** One stop-condition alarm, declared once: the stack renders it, the local stack evaluates it. */
export interface StopConditionAlarmDefinition extends AlarmDefinition {
  readonly kind: StopConditionKind;
}

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

/**
 * Default events a step must handle before it counts as held: enough that the 0.1% error rate is
 * measurable (one error in 1,000) and every stop condition saw real traffic.
 */
export const DEFAULT_MIN_EVENTS_PER_STEP = 1000;

/** The value a rollback writes. */
export const ROLLBACK_FLAG_VALUE = 'off';
/** What the `previous` parameter holds before any rollback saved a value there. */
export const NOTHING_SAVED = 'none';
/** How long one Wait lasts at most when the machine input does not say: alarms are re-checked after it. */
export const DEFAULT_WAIT_SLICE_SECONDS = 300;
/**
 * Check-and-wait turns one execution runs before it continues as a new execution with its state.
 * A turn is 9 history events (task: 5, choice: 2, wait: 2), so 2,000 turns are 18,000 events,
 * under the 25,000 a standard workflow may have: any plan fits, however long or quiet.
 */
export const MAX_TURNS_PER_EXECUTION = 2000;
/** History events one check-and-wait turn adds to an execution. */
export const HISTORY_EVENTS_PER_TURN = 9;

/** Where a rollback keeps the value it replaced: next to the flag, so one name derives the other. */
export function previousFlagParameterName(flagParameterName: string): string {
  return `${flagParameterName}/previous`;
}

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

/**
 * Where the rollout keeps whether the stop conditions are armed (they roll back only from
 * `rollout start` until a bake time after the last step) and a raise not yet confirmed: next to
 * the flag, read by the rollback function on every alarm and flag change.
 */
export function rolloutStateParameterName(flagParameterName: string): string {
  return `${flagParameterName}/rollout-state`;
}

/** What the rollout state parameter holds (JSON). */
export interface RolloutArming {
  /** Until when (epoch ms) a stop condition in ALARM rolls the flag back; before that time: armed. */
  readonly armedUntil: number;
  /**
   * A raise written but not yet confirmed by the check after it: an alarm in between must save
   * `from` (the value before the incident), not the raised value. Unset when none is pending.
   */
  readonly pendingRaise?: { readonly from: string; readonly to: string; readonly at: number } | undefined;
}

/** The rollout state a deploy creates when the parameter is absent: nothing armed, nothing pending. */
export const NOT_ARMED: RolloutArming = { armedUntil: 0 };

/**
 * How long the stop conditions stay armed after the last step's hold ended (like AppConfig's final
 * bake time); `tpi rollout start --bake` sets another.
 */
export const DEFAULT_BAKE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Longest single Wait of the rollout machine (`--slice` and the stack's default are capped to it,
 * and the machine itself never waits longer): what bounds one execution's duration below.
 */
export const MAX_WAIT_SLICE_SECONDS = 900;

/**
 * Longest the task of one turn can take: the step function's 30-second timeout over at most 12
 * attempts (the machine retries AWS errors 5 times and Lambda service errors 6 times) plus the
 * backoff between them (10 + 20 + ... + 160 s and 2 + 4 + ... + 64 s): 796 s, rounded up.
 */
export const TURN_TASK_BUDGET_SECONDS = 900;

/**
 * The rollout machine's `TimeoutSeconds`: an execution runs at most {@link MAX_TURNS_PER_EXECUTION}
 * turns (then it continues as a new execution), each at most one capped Wait and one task, plus a
 * day of margin. About 43 days: an execution past it is stuck, and `ExecutionsTimedOut` says so.
 */
export function rolloutExecutionTimeoutSeconds(): number {
  return MAX_TURNS_PER_EXECUTION * (MAX_WAIT_SLICE_SECONDS + TURN_TASK_BUDGET_SECONDS) + 24 * 60 * 60;
}

/** Environment variables the stack gives the rollout functions (step and rollback). */
export const ROLLOUT_ENVIRONMENT = {
  flagParameterName: 'FLAG_PARAMETER_NAME',
  /** The top-level stop-conditions composite alarm; its children are read with `ChildrenOfAlarmName`. */
  stopConditionsAlarmName: 'STOP_CONDITIONS_ALARM_NAME',
  rolloutStateParameterName: 'ROLLOUT_STATE_PARAMETER_NAME',
  /** The alarm that says the scheduled audit stopped: in ALARM, it blocks raises (never rolls back). */
  auditAlarmName: 'AUDIT_ALARM_NAME',
  waitSliceSeconds: 'ROLLOUT_WAIT_SLICE_SECONDS',
  minEventsPerStep: 'ROLLOUT_MIN_EVENTS_PER_STEP',
  recordingFunctionName: 'RECORDING_FUNCTION_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/** Name of the composite alarm that is in ALARM while any stop condition is: `<stack>-StopConditions`. */
export function stopConditionsAlarmName(stackName: string): string {
  return `${stackName}-StopConditions`;
}

/** Name of the composite alarm of one stop condition: `<stack>-StopConditions-<Kind>`. */
export function stopConditionKindAlarmName(stackName: string, kind: StopConditionKind): string {
  return kindAlarmNameUnder(stopConditionsAlarmName(stackName), kind);
}

/**
 * The composite of one stop condition under the top-level composite `topName`: how the rollout
 * functions, which know only the top-level name, tell which condition a child belongs to.
 */
export function kindAlarmNameUnder(topName: string, kind: StopConditionKind): string {
  const pascal = kind.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
  return `${topName}-${pascal}`;
}
