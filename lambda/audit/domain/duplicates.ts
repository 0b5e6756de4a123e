/** What the audit counts as a duplicate activity. Pure. */

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
