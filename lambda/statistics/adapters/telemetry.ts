import { logger } from '../../shared/aws/logger.ts';
import { count } from '../../shared/aws/metrics.ts';
import { METRIC } from '../../shared/observability.ts';
import type { BatchResult, ProjectionObserver } from '../application/project-stats.ts';

/** What the statistics projector says about its work, in logs and metrics. */

/** Logs the statistics projector's failures, record by record and user by user. */
export const projectionObserver: ProjectionObserver = {
  unreadable(sequenceNumber, error) {
    logger.error('unreadable stream record: reported as failed', { sequenceNumber, error });
  },
  userFailed(userId, error) {
    logger.error('statistics not applied: records reported as failed', { userId, error });
  },
};

/** Logs and counts what one stream batch did. */
export function reportStatsBatch(records: number, result: BatchResult): void {
  const { applied, alreadyApplied, failed, skippedErased } = result;
  count(METRIC.statsApplied, applied);
  count(METRIC.statsAlreadyApplied, alreadyApplied);
  count(METRIC.statsFailed, failed.length);
  count(METRIC.statsSkippedErased, skippedErased);
  logger.info('stream batch processed', {
    records,
    applied,
    alreadyApplied,
    failed: failed.length,
    skippedErased,
  });
}
