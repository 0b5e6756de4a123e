import { forEachLimit } from '../../shared/concurrency.ts';
import { MAX_TRANSACTION_ITEMS } from '../../shared/contract/limits.ts';
import type { ErasedUsers } from '../../shared/erased-users.ts';
import { planProjection } from '../domain/projection.ts';
import { type Effect, effectOf, type StatsActivity } from '../domain/stats.ts';
import { ProjectionConflictError } from '../errors.ts';
import type { ProjectionStore } from './ports.ts';

/**
 * How many of a user's activities go into one transaction: a marker and at most one slot each, plus
 * the statistics item, within the transaction's actions (2 × 49 + 1 ≤ 100).
 */
export const MAX_ACTIVITIES_PER_COMMIT = Math.floor((MAX_TRANSACTION_ITEMS - 1) / 2);

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

/** A new activity from the stream: its sequence number, and how to read it. */
export interface ProjectionRecord {
  readonly sequenceNumber: string;
  /** @throws when the record carries no readable activity (a poison record) */
  readonly activity: () => StatsActivity;
}

/** Told about each failure, whose records are then reported as failed. */
export interface ProjectionObserver {
  unreadable(sequenceNumber: string, error: unknown): void;
  userFailed(userId: string, error: unknown): void;
}

/** What a batch achieved; `failed` lists the sequence numbers to report as batch item failures. */
export interface BatchResult extends ApplyResult {
  readonly failed: readonly string[];
  /** Activities of erased users: acknowledged, nothing written. */
  readonly skippedErased: number;
}

/** Options of {@link projectBatch}. */
export interface ProjectBatchOptions {
  /** Users applied at once; a user's own activities are always applied together. @default 8 */
  readonly userConcurrency?: number;
  readonly observer: ProjectionObserver;
  /** Erased users: their activities are acknowledged and nothing is written. @default none */
  readonly erased?: ErasedUsers | undefined;
}

interface UserGroup {
  readonly effects: Effect[];
  readonly sequenceNumbers: string[];
}

/** Groups the readable records by user, in order; unreadable ones are added to `failed`. */
function groupByUser(
  records: readonly ProjectionRecord[],
  observer: ProjectionObserver,
  failed: Set<string>,
): Map<string, UserGroup> {
  const groups = new Map<string, UserGroup>();
  for (const { sequenceNumber, activity: read } of records) {
    try {
      const activity = read();
      const group = groups.get(activity.userId) ?? { effects: [], sequenceNumbers: [] };
      group.effects.push(effectOf(activity));
      group.sequenceNumbers.push(sequenceNumber);
      groups.set(activity.userId, group);
    } catch (error) {
      observer.unreadable(sequenceNumber, error);
      failed.add(sequenceNumber);
    }
  }
  return groups;
}

/**
 * Applies a batch of new activities to their users' statistics exactly once. A user's activities
 * are applied together (fewer writes); users are independent and applied concurrently, and a
 * user that fails only fails its own records.
 */
export async function projectBatch(
  records: readonly ProjectionRecord[],
  store: ProjectionStore,
  options: ProjectBatchOptions,
): Promise<BatchResult> {
  const failed = new Set<string>();
  const groups = groupByUser(records, options.observer, failed);
  const erased = options.erased ? await options.erased.current() : new Set<string>();
  let skippedErased = 0;
  const users = [...groups].filter(([userId, group]) => {
    if (!erased.has(userId)) return true;
    skippedErased += group.effects.length;
    return false;
  });
  let applied = 0;
  let alreadyApplied = 0;
  await forEachLimit(users, options.userConcurrency ?? 8, async ([userId, group]) => {
    try {
      const result = await applyUserEffects(userId, group.effects, store);
      applied += result.applied;
      alreadyApplied += result.alreadyApplied;
    } catch (error) {
      options.observer.userFailed(userId, error);
      for (const sequenceNumber of group.sequenceNumbers) failed.add(sequenceNumber);
    }
  });
  return { applied, alreadyApplied, failed: [...failed], skippedErased };
}
