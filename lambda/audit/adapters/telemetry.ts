import { logger } from '../../shared/aws/logger.ts';
import { count, metrics } from '../../shared/aws/metrics.ts';
import { AUDIT_METRIC } from '../../shared/observability.ts';
import type { AuditSweepResult, UsersAudit } from './audit-sweep.ts';

/**
 * What one scheduled audit run found: `AuditDuplicateActivities` and `AuditStatisticsDrift` (stop
 * conditions), users checked and the run itself, published at once; a warning when it found any.
 */
export function sweepReported(result: AuditSweepResult): void {
  count(AUDIT_METRIC.duplicates, result.duplicates);
  count(AUDIT_METRIC.drift, result.drifted);
  count(AUDIT_METRIC.usersChecked, result.usersChecked);
  count(AUDIT_METRIC.runs, 1);
  metrics.publishStoredMetrics();
  const log = result.duplicates > 0 || result.drifted > 0 ? logger.warn : logger.info;
  log.call(logger, 'scheduled audit run', {
    usersChecked: result.usersChecked,
    itemsScanned: result.itemsScanned,
    duplicates: result.duplicates,
    driftedUsers: result.driftedUsers,
    sweepRestarts: result.cursor === undefined,
  });
}

/**
 * What the audit of the users an activity-stream batch touched found: the same
 * `AuditDuplicateActivities` and `AuditStatisticsDrift` the sweep publishes (one alarm reads both),
 * and a warning naming the users when it found any.
 */
export function touchedUsersReported(result: UsersAudit): void {
  count(AUDIT_METRIC.duplicates, result.duplicates);
  count(AUDIT_METRIC.drift, result.drifted);
  count(AUDIT_METRIC.usersChecked, result.usersChecked);
  const log = result.duplicates > 0 || result.drifted > 0 ? logger.warn : logger.info;
  log.call(logger, 'audit of touched users', {
    usersChecked: result.usersChecked,
    duplicates: result.duplicates,
    driftedUsers: result.driftedUsers,
  });
}
