import { forEachLimit } from '../../shared/concurrency.ts';
import { MAX_BATCH_GET_KEYS, MAX_TRANSACTION_ITEMS } from '../../shared/contract/limits.ts';
import type { ErasedUsers } from '../../shared/erased-users.ts';
import {
  commitActionCount,
  type ProjectionCommit,
  type ProjectionState,
  planProjection,
  scopesToRead,
} from '../domain/projection.ts';
import { type Effect, effectOf, MATCH_SLOT_PREFIX, type StatsActivity } from '../domain/stats.ts';
import { SequenceConflict } from '../domain/streaks.ts';
import { ProjectionConflictError } from '../errors.ts';
import type { ProjectionStore, StateRequest } from './ports.ts';

/**
 * Sequence writes a finalization usually takes: its own item in the overall and the game scope,
 * and the break that closes the run it lands in. A chunk is cut by this estimate; one whose plan
 * needs more actions than a transaction allows is split in two and planned again.
 */
const SEQUENCE_WRITES_ESTIMATE = 4;

/** Attempts to plan and commit one chunk when the state keeps changing under it. */
const MAX_ATTEMPTS = 8;

/** Counts of one user's application. */
export interface ApplyResult {
  readonly applied: number;
  readonly alreadyApplied: number;
}

/** What one more activity adds to a chunk: transaction actions and keys read. */
function footprint(effect: Effect, games: ReadonlySet<string>): { actions: number; keys: number } {
  const slot = effect.slot ? 1 : 0;
  const game = effect.gameId !== undefined && !games.has(effect.gameId) ? 1 : 0;
  const sequence = effect.slot?.slot.startsWith(MATCH_SLOT_PREFIX) ? SEQUENCE_WRITES_ESTIMATE : 0;
  return { actions: 1 + slot + game + sequence, keys: 1 + slot + game };
}

/**
 * Cuts one user's effects into chunks that fit a transaction (100 actions: a marker and a slot per
 * activity, the sequence writes of a finalization, a summary item per scope) and one `BatchGetItem`
 * (100 keys: the markers, slots and summary items to read).
 */
export function chunksOf(effects: readonly Effect[]): Effect[][] {
  const chunks: Effect[][] = [];
  let chunk: Effect[] = [];
  const games = new Set<string>();
  // The overall summary item, which every chunk reads and writes.
  const used = { actions: 1, keys: 1 };
  for (const effect of effects) {
    let more = footprint(effect, games);
    if (
      chunk.length > 0 &&
      (used.actions + more.actions > MAX_TRANSACTION_ITEMS || used.keys + more.keys > MAX_BATCH_GET_KEYS)
    ) {
      chunks.push(chunk);
      chunk = [];
      games.clear();
      Object.assign(used, { actions: 1, keys: 1 });
      more = footprint(effect, games);
    }
    chunk.push(effect);
    if (effect.gameId !== undefined) games.add(effect.gameId);
    used.actions += more.actions;
    used.keys += more.keys;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Reads what planning a chunk needs: its markers, slots and the summary items of the scopes its
 * activities carry, in one request; then, only when a stored slot belongs to a game none of them
 * carries (a match or tournament changing game), that game's summary item.
 */
async function loadState(
  userId: string,
  chunk: readonly Effect[],
  store: ProjectionStore,
  request: Omit<StateRequest, 'scopes'>,
): Promise<ProjectionState> {
  const state = await store.load(userId, { ...request, scopes: scopesToRead(chunk, new Map()) });
  const more = scopesToRead(chunk, state.slots).filter((scope) => !state.scopes.has(scope));
  if (more.length === 0) return state;
  const extra = await store.load(userId, { keys: [], slots: [], scopes: more });
  return { ...state, scopes: new Map([...state.scopes, ...extra.scopes]) };
}

/** Reads and plans a chunk; `conflict` when the stored sequence disagreed with the slots read. */
async function planChunk(
  userId: string,
  chunk: readonly Effect[],
  store: ProjectionStore,
): Promise<ProjectionCommit | undefined | 'conflict'> {
  const request = {
    keys: [...new Set(chunk.map((e) => e.idempotencyKey))],
    slots: [...new Set(chunk.flatMap((e) => (e.slot ? [e.slot.slot] : [])))],
  };
  const state = await loadState(userId, chunk, store, request);
  try {
    return await planProjection(userId, state, chunk, store.sequences(userId));
  } catch (error) {
    if (error instanceof SequenceConflict) return 'conflict';
    throw error;
  }
}

/** Applies one chunk: read, plan, commit with conditions on what was read; on a conflict read again. */
async function applyChunk(
  userId: string,
  chunk: readonly Effect[],
  store: ProjectionStore,
): Promise<number | 'too large'> {
  for (let attempt = 1; ; attempt += 1) {
    const plan = await planChunk(userId, chunk, store);
    if (plan === undefined) return 0;
    if (plan !== 'conflict') {
      if (commitActionCount(plan) > MAX_TRANSACTION_ITEMS) return 'too large';
      if ((await store.commit(plan)) === 'committed') return plan.markers.length;
    }
    if (attempt >= MAX_ATTEMPTS)
      throw new ProjectionConflictError(
        `statistics of user ${userId} changed under ${MAX_ATTEMPTS} attempts in a row; the records will be retried`,
      );
  }
}

/**
 * Applies one user's activities exactly once: read the state (a bounded number of items), plan,
 * commit with conditions on what was read; on a conflict read again. Re-applying an activity is a
 * no-op because its marker exists.
 */
export async function applyUserEffects(
  userId: string,
  effects: readonly Effect[],
  store: ProjectionStore,
): Promise<ApplyResult> {
  let applied = 0;
  const pending = chunksOf(effects);
  for (let chunk = pending.shift(); chunk; chunk = pending.shift()) {
    const result = await applyChunk(userId, chunk, store);
    if (result !== 'too large') applied += result;
    else if (chunk.length === 1)
      throw new RangeError(`one activity of user ${userId} needs more than one transaction`);
    else {
      const half = Math.floor(chunk.length / 2);
      pending.unshift(chunk.slice(0, half), chunk.slice(half));
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
