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
