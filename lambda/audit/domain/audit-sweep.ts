/**
 * The scheduled audit: what it counts as a duplicate and how much it reads per run. Pure; the
 * sweep itself is lambda/audit/adapters/audit-sweep.ts.
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

/** Metric names the audit publishes (namespace and `service` dimension of the integration). */
export const AUDIT_METRIC = {
  duplicates: 'AuditDuplicateActivities',
  drift: 'AuditStatisticsDrift',
  usersChecked: 'AuditUsersChecked',
  runs: 'AuditRuns',
} as const;

/** The part of a stored activity that tells two records of one action apart. */
export interface ActivityIdentity {
  readonly idempotencyKey: string;
  readonly payloadHash: string;
  readonly detailType: string;
}

/**
 * Duplicate activities of one user: items under different idempotency keys that hold the same
 * accepted detail (same detail type and payload hash). The key is the only thing that stops a
 * second record, so a duplicate means the key changed for the same action (a key-derivation
 * change in a new version, or a publisher minting a new status/revision on a retry). Returns the
 * number of extra items (a detail recorded three times counts 2).
 */
export function duplicateActivities(items: readonly ActivityIdentity[]): number {
  const keysByDetail = new Map<string, Set<string>>();
  for (const item of items) {
    const detail = `${item.detailType}\u0000${item.payloadHash}`;
    const keys = keysByDetail.get(detail) ?? new Set<string>();
    keys.add(item.idempotencyKey);
    keysByDetail.set(detail, keys);
  }
  let extra = 0;
  for (const keys of keysByDetail.values()) extra += keys.size - 1;
  return extra;
}
