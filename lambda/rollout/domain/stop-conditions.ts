/**
 * The four stop conditions of a rollout and their default settings, shared by the deployed alarms
 * (infra/constructs/stop-condition-alarms.ts) and the local stack's counters (local/rollout.ts),
 * so both trip on the same numbers. docs/deploy.md explains each default.
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

/** Integration errors and events handled over one period (or since a rollout started, locally). */
export interface ErrorRateSample {
  /** Recording errors, deliveries given up, statistics failures. */
  readonly errors: number;
  readonly handled: number;
}

/**
 * Whether one period breaches the error-rate condition: the same formula as the deployed alarm's
 * metric math, `IF(handled >= floor, 100 * errors / handled, 0) > threshold`.
 */
export function errorRateBreaches(sample: ErrorRateSample, settings: StopConditionSettings): boolean {
  if (sample.handled < settings.errorRateMinEvents || sample.handled === 0) return false;
  return (100 * sample.errors) / sample.handled > settings.errorRateThresholdPercent;
}

/**
 * M of N over the most recent periods (oldest first), as CloudWatch evaluates an alarm with
 * `datapointsToAlarm` M and `evaluationPeriods` N.
 */
export function mOfNBreaches(periods: readonly boolean[], m: number, n: number): boolean {
  return periods.slice(-n).filter(Boolean).length >= m;
}
