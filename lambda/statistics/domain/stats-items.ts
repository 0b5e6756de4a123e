import { ERASURE_RECORD_SK } from '../../shared/erased-users.ts';
import { OVERALL_SCOPE } from './placement.ts';
import type { ProfileStatistics, ScopeStatistics } from './profile-stats.ts';
import {
  countersOf,
  STATS_SK,
  scopeItem,
  scopeOfSk,
  scopeStateOf,
  scopeStatisticsOfItem,
} from './scope-items.ts';
import { gameOfScope, type ScopeState, type StoredStats } from './scopes.ts';
import type { BreakItem, SequenceSummary } from './sequence.ts';
import { BREAK_PREFIX, breakOfItem, rangePrefix, sequenceKeyOf, WIN_PREFIX } from './sequence-items.ts';
import { MATCH_SLOT_PREFIX, type Slot, TOURNAMENT_SLOT_PREFIX } from './stats.ts';

/**
 * The items of a user's partition in the statistics table, as plain records: the summary items
 * (overall and per game, see scope-items.ts), one slot item per counting match or tournament, the
 * sequence items (see sequence-items.ts) and one marker per applied activity. The projector's store,
 * audit and erasure read and write them with these functions.
 */

/** Sort key prefix of applied-activity markers. */
export const MARKER_PREFIX = 'APPLIED#';

/** The overall statistics item (with the streaks when `stats` carries a sequence summary). */
export function statsItem(
  userId: string,
  stats: StoredStats & { readonly summary?: SequenceSummary | undefined },
  now: Date,
): Record<string, unknown> {
  return scopeItem(userId, OVERALL_SCOPE, { ...stats, summary: stats.summary }, now);
}

/** A slot item: the finalization or completion that counts for one match or tournament, its game and position. */
export function slotItem(userId: string, slot: Slot, now: Date): Record<string, unknown> {
  return {
    userId,
    sk: slot.slot,
    rank: slot.rank,
    ...slot.counters,
    ...(slot.gameId === undefined ? {} : { gameId: slot.gameId }),
    ...(slot.firstAt === undefined ? {} : { firstAt: slot.firstAt }),
    updatedAt: now.toISOString(),
  };
}

/** A slot from its item. */
export function slotOf(item: Readonly<Record<string, unknown>>): Slot {
  return {
    slot: String(item.sk),
    rank: String(item.rank),
    counters: countersOf(item),
    ...(typeof item.gameId === 'string' ? { gameId: item.gameId } : {}),
    ...(typeof item.firstAt === 'string' ? { firstAt: item.firstAt } : {}),
  };
}

/** The sort key of the marker that an activity's effect was applied. */
export function markerSk(idempotencyKey: string): string {
  return `${MARKER_PREFIX}${idempotencyKey}`;
}

/** A scope's stored sequence items, ascending by position. */
export interface StoredSequence {
  readonly wins: readonly string[];
  readonly breaks: readonly BreakItem[];
}

/** What items of a statistics partition say (all of it, or the part a load read). */
export interface StatsPartition {
  /** The overall statistics (the `STATS` item's counters), when there is one. */
  readonly stats: StoredStats | undefined;
  /** Every summary item read, by scope (`all`, `game:{gameId}`). */
  readonly scopes: Map<string, ScopeState>;
  /** The contract's statistics as each summary item stores them, by scope. */
  readonly views: Map<string, ScopeStatistics>;
  readonly slots: Map<string, Slot>;
  /** The sequence items read, by scope. */
  readonly sequences: Map<string, StoredSequence>;
  /** Idempotency keys of the applied activities. */
  readonly applied: Set<string>;
  /** `matchesPlayed` as the statistics item stores it (a stored sum, checked by audit). */
  readonly storedMatchesPlayed: number | undefined;
}

/** Sorts one sequence item into its scope's wins or breaks. */
function addSequenceItem(
  sequences: Map<string, StoredSequence>,
  key: NonNullable<ReturnType<typeof sequenceKeyOf>>,
  item: Readonly<Record<string, unknown>>,
): void {
  let sequence = sequences.get(key.scope) as { wins: string[]; breaks: BreakItem[] } | undefined;
  if (!sequence) {
    sequence = { wins: [], breaks: [] };
    sequences.set(key.scope, sequence);
  }
  if (key.kind === 'win') sequence.wins.push(key.pos);
  else sequence.breaks.push(breakOfItem(item, rangePrefix('break', key.scope)));
}

/** Sorts the items of a statistics partition into summaries, slots, sequence items and applied markers. */
export function readStatsPartition(items: Iterable<Readonly<Record<string, unknown>>>): StatsPartition {
  const scopes = new Map<string, ScopeState>();
  const views = new Map<string, ScopeStatistics>();
  const slots = new Map<string, Slot>();
  const sequences = new Map<string, StoredSequence>();
  const applied = new Set<string>();
  let storedMatchesPlayed: number | undefined;
  for (const item of items) {
    const sk = String(item.sk);
    const scope = scopeOfSk(sk);
    const sequenceKey = sequenceKeyOf(sk);
    // The erasure record is not statistics: the projection, audit and repair leave it alone.
    if (sk === ERASURE_RECORD_SK) continue;
    if (scope !== undefined) {
      scopes.set(scope, scopeStateOf(item));
      views.set(scope, scopeStatisticsOfItem(item));
      if (sk === STATS_SK)
        storedMatchesPlayed = item.matchesPlayed == null ? undefined : Number(item.matchesPlayed);
    } else if (sequenceKey) addSequenceItem(sequences, sequenceKey, item);
    else if (sk.startsWith(MARKER_PREFIX)) applied.add(sk.slice(MARKER_PREFIX.length));
    else slots.set(sk, slotOf(item));
  }
  for (const [scope, { wins, breaks }] of sequences)
    sequences.set(scope, {
      wins: [...wins].sort(),
      breaks: [...breaks].sort((a, b) => (a.pos < b.pos ? -1 : 1)),
    });
  return { stats: scopes.get(OVERALL_SCOPE), scopes, views, slots, sequences, applied, storedMatchesPlayed };
}

/**
 * The contract's statistics a partition's summary items store: overall (zeros without an item)
 * and per game, in `gameId` order, as the read API shows them.
 */
export function storedProfileOf(items: Iterable<Readonly<Record<string, unknown>>>): ProfileStatistics {
  const { views } = readStatsPartition(items);
  const games = new Map<string, ScopeStatistics>();
  for (const [scope, view] of [...views].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const gameId = gameOfScope(scope);
    if (gameId !== undefined) games.set(gameId, view);
  }
  return { overall: views.get(OVERALL_SCOPE) ?? scopeStatisticsOfItem(undefined), games };
}

/** The kind of an item of a user's statistics partition, by its sort key (what an erasure counts). */
export function statsItemKind(sk: string): 'statistics' | 'slots' | 'markers' | 'record' {
  if (sk === ERASURE_RECORD_SK) return 'record';
  if (sk.startsWith(MARKER_PREFIX)) return 'markers';
  // Per-match items: the latest-wins slots and the matches of the sequences.
  const perMatch = [MATCH_SLOT_PREFIX, TOURNAMENT_SLOT_PREFIX, WIN_PREFIX, BREAK_PREFIX];
  if (perMatch.some((prefix) => sk.startsWith(prefix))) return 'slots';
  return 'statistics';
}
