import { addCounters, type Counters, type Effect, type Slot, ZERO } from './stats.ts';

/** The stored statistics of a user, as the projector keeps them. */
export interface StoredStats {
  readonly counters: Counters;
  readonly activityCount: number;
  readonly lastActivityAt: string | null;
  /** Optimistic-lock version: every write of the statistics checks and increments it. */
  readonly version: number;
}

/** What the projector read for one user before applying effects. */
export interface ProjectionState {
  /** `undefined` for a user seen for the first time. */
  readonly stats: StoredStats | undefined;
  /** The slot items read, by slot name; a missing entry means no item exists yet. */
  readonly slots: ReadonlyMap<string, Slot>;
  /** Keys whose effect was already applied (their marker exists). */
  readonly applied: ReadonlySet<string>;
}

/** One atomic write that applies effects; every part is conditioned on the state it was planned from. */
export interface ProjectionCommit {
  readonly userId: string;
  /** Markers to create (must not exist yet). */
  readonly markers: readonly string[];
  /** Slots whose counting finalization changes, with the rank they must still have (`undefined`: absent). */
  readonly slots: readonly { readonly next: Slot; readonly expectedRank: string | undefined }[];
  readonly stats: StoredStats;
  /** The version the stored statistics must still have (`undefined`: no item yet). */
  readonly expectedVersion: number | undefined;
}

/**
 * Plans the write that applies `effects` (one user's activities) to `state`, or returns `undefined`
 * when all of them were applied before. Cost does not depend on the user's history: one marker per
 * new activity, one item per slot whose counting finalization changes, and the statistics item.
 *
 * Latest wins: a slot changes only when a new effect outranks the one counting now, and then the
 * statistics move by the difference between the two outcomes; an older finalization arriving late
 * adds to `activityCount` only.
 */
export function planProjection(
  userId: string,
  state: ProjectionState,
  effects: readonly Effect[],
): ProjectionCommit | undefined {
  const fresh = new Map<string, Effect>();
  for (const effect of effects)
    if (!state.applied.has(effect.idempotencyKey) && !fresh.has(effect.idempotencyKey))
      fresh.set(effect.idempotencyKey, effect);
  if (fresh.size === 0) return undefined;

  const before = state.stats ?? { counters: ZERO, activityCount: 0, lastActivityAt: null, version: 0 };
  let counters = before.counters;
  let lastActivityAt = before.lastActivityAt;
  const winners = new Map<string, Slot>();
  for (const effect of fresh.values()) {
    if (lastActivityAt === null || effect.occurredAt > lastActivityAt) lastActivityAt = effect.occurredAt;
    const candidate = effect.slot;
    if (!candidate) continue;
    const best = winners.get(candidate.slot) ?? state.slots.get(candidate.slot);
    if (!best || candidate.rank > best.rank) winners.set(candidate.slot, candidate);
  }
  const slots: ProjectionCommit['slots'][number][] = [];
  for (const next of winners.values()) {
    const previous = state.slots.get(next.slot);
    counters = addCounters(counters, next.counters);
    if (previous) counters = addCounters(counters, previous.counters, -1);
    slots.push({ next, expectedRank: previous?.rank });
  }
  return {
    userId,
    markers: [...fresh.keys()],
    slots,
    stats: {
      counters,
      activityCount: before.activityCount + fresh.size,
      lastActivityAt,
      version: before.version + 1,
    },
    expectedVersion: state.stats?.version,
  };
}
