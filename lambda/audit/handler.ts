import { type AuditSweepResult, auditSweep } from './adapters/audit-sweep.ts';
import { sweepReported } from './adapters/telemetry.ts';
import { type ScheduledAuditDependencies, scheduledAuditDependenciesFromEnv } from './wiring.ts';

/**
 * One run of the scheduled audit: continues the sweep of the activity table where the last run
 * stopped, publishes `AuditDuplicateActivities` and `AuditStatisticsDrift` (stop conditions) and
 * saves where it stopped. Read-only on the tables: repair stays an operator's `tpi audit --repair`.
 */
export function createScheduledAudit(deps: ScheduledAuditDependencies) {
  return async (): Promise<AuditSweepResult> => {
    const result = await auditSweep({ ...deps.sweep, cursor: await deps.cursor.read() });
    await deps.cursor.save(result.cursor);
    sweepReported(result);
    return result;
  };
}

let deployed: ReturnType<typeof createScheduledAudit> | undefined;

/** Lambda entry point (the audit's schedule rule): dependencies are built on the first run. */
export const handler = (): Promise<AuditSweepResult> => {
  deployed ??= createScheduledAudit(scheduledAuditDependenciesFromEnv());
  return deployed();
};
