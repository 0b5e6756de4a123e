/**
 * Names and defaults of the integration's logs and metrics, free of Powertools and of the
 * environment: the stack, the dashboard and the alarms import them at synth time, and the functions
 * build their Logger and Metrics from them (lambda/shared/aws/powertools.ts). What a deployed
 * function uses comes from the environment the stack gives it, never from the synth machine's.
 */

/** Service name of logs and the metrics' `service` dimension, unless the stack sets another. */
export const DEFAULT_SERVICE_NAME = 'tournament-profile-integration';

/** Namespace of every metric the integration emits, unless the stack sets another. */
export const DEFAULT_METRICS_NAMESPACE = 'TournamentProfileIntegration';

/** Names of the metrics, shared by the handlers, the dashboard and the alarms. */
export const METRIC = {
  recorded: 'ActivitiesRecorded',
  duplicate: 'DuplicateActivities',
  conflict: 'IdempotencyConflicts',
  skipped: 'SkippedByFlag',
  /** Users skipped because they are erased (apart from the flag's skips). */
  skippedErased: 'SkippedErased',
  invalid: 'InvalidEvents',
  flagMisconfigured: 'FlagMisconfigured',
  flagStale: 'FlagStaleReads',
  statsApplied: 'StatisticsApplied',
  statsAlreadyApplied: 'StatisticsAlreadyApplied',
  statsFailed: 'StatisticsRecordsFailed',
  statsSkippedErased: 'StatisticsSkippedErased',
} as const;

/** Name of the metric a publisher reports its unpublished events under; a stop condition of the rollout. */
export const PUBLISH_FAILURES_METRIC = 'PublishFailures';
