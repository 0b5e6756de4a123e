import { ERASURE_RECORD_SK } from '../../shared/erased-users.ts';
import type { StoredStats } from './projection.ts';
import {
  COUNTER_NAMES,
  type Counters,
  MATCH_SLOT_PREFIX,
  matchesPlayed,
  type Slot,
  TOURNAMENT_SLOT_PREFIX,
} from './stats.ts';

/**
 * The items of a user's partition in the statistics table, as plain records: the statistics item,
 * one slot item per counting match or tournament, and one marker per applied activity. The
 * projector's store and audit both read and write them with these functions.
 */

/** Sort key of a user's statistics item. */
export const STATS_SK = 'STATS';
/** Sort key prefix of applied-activity markers. */
export const MARKER_PREFIX = 'APPLIED#';

/** Counters read from an item or a statistics view (absent attributes are 0). */
export function countersOf(item: Readonly<Record<string, unknown>> | Counters): Counters {
  const source = item as Readonly<Record<string, unknown>>;
  const out = {} as Record<keyof Counters, number>;
  for (const name of COUNTER_NAMES) out[name] = Number(source[name] ?? 0);
  return out;
}

/** The statistics item for stored statistics. */
export function statsItem(userId: string, stats: StoredStats, now: Date): Record<string, unknown> {
  const { counters } = stats;
  return {
    userId,
    sk: STATS_SK,
    ...counters,
    matchesPlayed: matchesPlayed(counters),
    activityCount: stats.activityCount,
    ...(stats.lastActivityAt === null ? {} : { lastActivityAt: stats.lastActivityAt }),
    version: stats.version,
    updatedAt: now.toISOString(),
  };
}

/** Stored statistics from a statistics item. */
export function storedStatsOf(item: Readonly<Record<string, unknown>>): StoredStats {
  return {
    counters: countersOf(item),
    activityCount: Number(item.activityCount ?? 0),
    lastActivityAt: typeof item.lastActivityAt === 'string' ? item.lastActivityAt : null,
    version: Number(item.version ?? 0),
  };
}

/** A slot item: the finalization or completion that counts for one match or tournament. */
export function slotItem(userId: string, slot: Slot, now: Date): Record<string, unknown> {
  return { userId, sk: slot.slot, rank: slot.rank, ...slot.counters, updatedAt: now.toISOString() };
}

/** A slot from its item. */
export function slotOf(item: Readonly<Record<string, unknown>>): Slot {
  return { slot: String(item.sk), rank: String(item.rank), counters: countersOf(item) };
}

/** The sort key of the marker that an activity's effect was applied. */
export function markerSk(idempotencyKey: string): string {
  return `${MARKER_PREFIX}${idempotencyKey}`;
}

/** What items of a statistics partition say (all of it, or the part a load read). */
export interface StatsPartition {
  readonly stats: StoredStats | undefined;
  readonly slots: Map<string, Slot>;
  /** Idempotency keys of the applied activities. */
  readonly applied: Set<string>;
  /** `matchesPlayed` as the statistics item stores it (a stored sum, checked by audit). */
  readonly storedMatchesPlayed: number | undefined;
}

/** Sorts the items of a statistics partition into statistics, slots and applied markers. */
export function readStatsPartition(items: Iterable<Readonly<Record<string, unknown>>>): StatsPartition {
  let stats: StoredStats | undefined;
  let storedMatchesPlayed: number | undefined;
  const slots = new Map<string, Slot>();
  const applied = new Set<string>();
  for (const item of items) {
    const sk = String(item.sk);
    // The erasure record is not statistics: the projection, audit and repair leave it alone.
    if (sk === ERASURE_RECORD_SK) continue;
    if (sk === STATS_SK) {
      stats = storedStatsOf(item);
      storedMatchesPlayed = item.matchesPlayed == null ? undefined : Number(item.matchesPlayed);
    } else if (sk.startsWith(MARKER_PREFIX)) applied.add(sk.slice(MARKER_PREFIX.length));
    else slots.set(sk, slotOf(item));
  }
  return { stats, slots, applied, storedMatchesPlayed };
}

/** The kind of an item of a user's statistics partition, by its sort key (what an erasure counts). */
export function statsItemKind(sk: string): 'statistics' | 'slots' | 'markers' | 'record' {
  if (sk === ERASURE_RECORD_SK) return 'record';
  if (sk.startsWith(MARKER_PREFIX)) return 'markers';
  if (sk.startsWith(MATCH_SLOT_PREFIX) || sk.startsWith(TOURNAMENT_SLOT_PREFIX)) return 'slots';
  return 'statistics';
}
