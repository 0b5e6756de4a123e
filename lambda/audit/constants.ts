import { type AlarmDefinition, AUDIT_METRIC } from '../shared/observability.ts';

/**
 * The scheduled audit's settings, read by the stack (CDK context) and the local stack: how often it
 * runs and how much one run reads. Pure values; the sweep is lambda/audit/adapters/audit-sweep.ts.
 */

/** Settings of the scheduled audit; each is a CDK context key (`auditIntervalMinutes`, ...). */
export interface AuditSweepSettings {
  readonly intervalMinutes: number;
  /** Activity items read by the scan of one run: bounds the scan's cost. */
  readonly itemsPerRun: number;
  /** Users whose partitions are read and compared in one run: bounds the audit's cost. */
  readonly usersPerRun: number;
}

/** Every 5 minutes, 1,000 activity items and 100 users per run (costs in docs/deploy.md). */
export const AUDIT_DEFAULTS: AuditSweepSettings = { intervalMinutes: 5, itemsPerRun: 1000, usersPerRun: 100 };

/**
 * Name of the alarm that says the scheduled audit stopped running: `<stack>-AuditNotRunning`. A
 * stopped audit blocks raises of the flag (duplicates would go unseen) but never rolls back.
 */
export function auditNotRunningAlarmName(stackName: string): string {
  return `${stackName}-AuditNotRunning`;
}

/**
 * The alarm that says the scheduled audit stopped: fewer than one completed run in each of three
 * periods, and no datapoint at all (no run) counts as breaching, since that is exactly the failure.
 * Declared once: the stack renders it, the local stack evaluates it.
 */
export function auditNotRunningAlarm(periodSeconds: number): AlarmDefinition {
  return {
    id: 'NotRunning',
    signal: {
      form: 'metric',
      metric: {
        source: 'integration',
        metricName: AUDIT_METRIC.runs,
        dimensions: { service: 'service' },
        statistic: 'Sum',
      },
    },
    periodSeconds,
    threshold: 1,
    comparison: 'LessThanThreshold',
    datapointsToAlarm: 3,
    evaluationPeriods: 3,
    treatMissingData: 'breaching',
    description:
      'The scheduled audit completed no run in three periods: duplicates and drift go undetected, and the flag is not raised (by a rollout or by hand) until it runs again. Read the audit function logs (errors, timeouts) and its throttles.',
  };
}
