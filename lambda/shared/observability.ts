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
