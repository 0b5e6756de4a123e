import { ProjectionConflictError } from '../domain/errors.ts';
import { planProjection } from '../domain/projection.ts';
import type { Effect } from '../domain/stats.ts';
import type { ProjectionStore } from './stats-ports.ts';

/** How many of a user's activities go into one transaction: markers + slots + statistics ≤ 100. */
export const MAX_ACTIVITIES_PER_COMMIT = 49;

/** Attempts to plan and commit one chunk when the state keeps changing under it. */
const MAX_ATTEMPTS = 8;

/** Counts of one user's application. */
export interface ApplyResult {
  readonly applied: number;
  readonly alreadyApplied: number;
}

/**
 * Applies one user's activities exactly once: read the state (O(1) items), plan, commit with
 * conditions on what was read; on a conflict read again. Re-applying an activity is a no-op because
 * its marker exists.
 */
export async function applyUserEffects(
  userId: string,
  effects: readonly Effect[],
  store: ProjectionStore,
): Promise<ApplyResult> {
  let applied = 0;
  for (let start = 0; start < effects.length; start += MAX_ACTIVITIES_PER_COMMIT) {
    const chunk = effects.slice(start, start + MAX_ACTIVITIES_PER_COMMIT);
    const keys = [...new Set(chunk.map((e) => e.idempotencyKey))];
    const slots = [...new Set(chunk.flatMap((e) => (e.slot ? [e.slot.slot] : [])))];
    for (let attempt = 1; ; attempt += 1) {
      const plan = planProjection(userId, await store.load(userId, keys, slots), chunk);
      if (!plan) break;
      if ((await store.commit(plan)) === 'committed') {
        applied += plan.markers.length;
        break;
      }
      if (attempt >= MAX_ATTEMPTS)
        throw new ProjectionConflictError(
          `statistics of user ${userId} changed under ${MAX_ATTEMPTS} attempts in a row; the records will be retried`,
        );
    }
  }
  return { applied, alreadyApplied: new Set(effects.map((e) => e.idempotencyKey)).size - applied };
}
