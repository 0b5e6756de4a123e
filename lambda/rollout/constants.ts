/**
 * The rollout's settings and names that the stack, the local stack and the functions share: the
 * four stop conditions of the plan and their defaults (the deployed alarms of
 * infra/constructs/stop-condition-alarms.ts and the local counters of local/stop-conditions.ts trip
 * on the same numbers), the step machine's budget, and the flag values a rollback writes and saves.
 * Pure values. docs/deploy.md explains each default.
 */

/** The failures the rollout plan names; every stop-condition alarm belongs to one of them. */
export const STOP_CONDITION_KINDS = [
  'integration-error-rate',
  'tournament-operations',
  'database-degradation',
  'duplicates',
] as const;
export type StopConditionKind = (typeof STOP_CONDITION_KINDS)[number];

/** Settings of the stop conditions; every one is a CDK context key of the same name. */
export interface StopConditionSettings {
  /** Integration errors in percent of events handled above which the rollout stops. */
  readonly errorRateThresholdPercent: number;
  /** Fewer events handled in a period than this: the period does not breach (too few to judge). */
  readonly errorRateMinEvents: number;
  /** M of N: breaching periods needed (M) among the last evaluated (N). */
  readonly errorRateDatapoints: number;
  readonly errorRateEvaluationPeriods: number;
  /** p99 `SuccessfulRequestLatency` of a table's operations, in ms. */
  readonly dynamoLatencyP99Ms: number;
  /** p99 duration of the recording function, in ms. */
  readonly recordingDurationP99Ms: number;
  /** Oldest event waiting in the recording function's asynchronous queue, in seconds. */
  readonly asyncEventAgeSeconds: number;
}

/**
 * Defaults. 0.1% is the plan's threshold. At 0.1%, one failure needs 1,000 events to stay under;
 * a floor of 200 events per 5-minute period and 2 breaching periods of 3 mean one transient error
 * at canary traffic (a single bad period) never stops a rollout, while a real regression (errors in
 * two periods out of three, 10 to 15 minutes) does. Below the floor, dead letters and the audit
 * still stop the rollout on their own. Latency thresholds are an order of magnitude above what
 * healthy on-demand tables and the recording function show (single-digit ms; well under 1 s).
 */
export const STOP_CONDITION_DEFAULTS: StopConditionSettings = {
  errorRateThresholdPercent: 0.1,
  errorRateMinEvents: 200,
  errorRateDatapoints: 2,
  errorRateEvaluationPeriods: 3,
  dynamoLatencyP99Ms: 250,
  recordingDurationP99Ms: 10_000,
  asyncEventAgeSeconds: 300,
};

/** Degradation alarms (latency, throttles, system errors, duration, event age) trip on 2 of 3 periods. */
export const DEGRADATION_DATAPOINTS = 2;
export const DEGRADATION_EVALUATION_PERIODS = 3;

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
