import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Service name used in logs and as the metrics' `service` dimension. */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'tournament-profile-integration';

/** Namespace of every metric the integration emits. */
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'TournamentProfileIntegration';

/** Names of the metrics, shared by the handlers, the dashboard and the alarms. */
export const METRIC = {
  recorded: 'ActivitiesRecorded',
  duplicate: 'DuplicateActivities',
  conflict: 'IdempotencyConflicts',
  skipped: 'SkippedByFlag',
  invalid: 'InvalidEvents',
  flagMisconfigured: 'FlagMisconfigured',
  flagStale: 'FlagStaleReads',
  statsApplied: 'StatisticsApplied',
  statsAlreadyApplied: 'StatisticsAlreadyApplied',
  statsFailed: 'StatisticsRecordsFailed',
} as const;

/** Structured JSON logger shared by the handlers of one process. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** EMF metrics: written to stdout, no API calls. */
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });
