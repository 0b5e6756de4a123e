import {
  countersOf,
  countingSlots,
  EMPTY_SCOPE,
  effectOf,
  gameOfScope,
  gameScope,
  OVERALL_SCOPE,
  placementsOf,
  profileStatsOf,
  type ScopeState,
  type ScopeStatistics,
  type SequenceMatch,
  type SequenceState,
  type SequenceSummary,
  type Slot,
  type StatsActivity,
  type StoredSequence,
  sameCounters,
  sequenceFromMatches,
  standingOfSlot,
} from '../../statistics/index.ts';

/**
 * What a user's statistics partition should hold, from the activities the projector applied (the
 * contract's definitions, recomputed from the set), and how the stored items differ from it. Pure.
 */

/** A user's statistics partition as the applied activities define it. */
export interface ExpectedPartition {
  /** The counting slot of every match and tournament. */
  readonly slots: Map<string, Slot>;
  /** Every scope's statistics (versions left at 0: a repair writes over the stored ones). */
  readonly scopes: Map<string, ScopeState>;
  /** Every scope's sequence; a scope without matches has none. */
  readonly sequences: Map<string, SequenceState>;
}

/** The sequences of every scope, from the counting slots' standings. */
function sequencesOf(slots: ReadonlyMap<string, Slot>): Map<string, SequenceState> {
  const byScope = new Map<string, SequenceMatch[]>();
  for (const slot of slots.values())
    for (const { scope, pos, outcome } of placementsOf(standingOfSlot(slot)))
      byScope.set(scope, [...(byScope.get(scope) ?? []), { pos, outcome }]);
  return new Map([...byScope].map(([scope, matches]) => [scope, sequenceFromMatches(matches)]));
}

/** What the applied activities say the partition holds. */
export function expectedPartition(applied: readonly StatsActivity[]): ExpectedPartition {
  const slots = countingSlots(applied.map(effectOf));
  const sequences = sequencesOf(slots);
  const profile = profileStatsOf(applied);
  const scopes = new Map<string, ScopeState>();
  const add = (scope: string, stats: ScopeStatistics) =>
    scopes.set(scope, {
      ...EMPTY_SCOPE,
      counters: countersOf(stats),
      activityCount: stats.activityCount,
      lastActivityAt: stats.lastActivityAt,
      summary: sequences.get(scope)?.summary ?? EMPTY_SCOPE.summary,
    });
  // A user with nothing applied has no statistics item: zeros, as the read API shows them.
  if (applied.length > 0) add(OVERALL_SCOPE, profile.overall);
  for (const [gameId, stats] of profile.games) add(gameScope(gameId), stats);
  return { slots, scopes, sequences };
}

/** The fields of a scope's statistics, in the order drift is reported. */
const FIELDS = [
  'matchesPlayed',
  'matchesWon',
  'matchesLost',
  'matchesDrawn',
  'tournamentsPlayed',
  'tournamentsWon',
  'activityCount',
  'lastActivityAt',
  'currentWinStreak',
  'longestWinStreak',
  'recentResults',
] as const satisfies readonly (keyof ScopeStatistics)[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The statistics fields that differ between what a summary item stores and what it should: plain
 * names for the overall item, `GAME#{gameId}.{field}` for a game's, `GAME#{gameId}` alone for a
 * game item that should not exist.
 */
export function driftedFields(
  stored: ReadonlyMap<string, ScopeStatistics>,
  expected: ReadonlyMap<string, ScopeStatistics>,
): string[] {
  const drifted: string[] = [];
  const scopes = [...new Set([OVERALL_SCOPE, ...stored.keys(), ...expected.keys()])];
  for (const scope of scopes) {
    const gameId = gameOfScope(scope);
    const name = (field: string) => (gameId === undefined ? field : `GAME#${gameId}.${field}`);
    const want = expected.get(scope) ?? (scope === OVERALL_SCOPE ? profileStatsOf([]).overall : undefined);
    const have = stored.get(scope) ?? profileStatsOf([]).overall;
    if (!want) drifted.push(`GAME#${gameId}`);
    else for (const field of FIELDS) if (!same(have[field], want[field])) drifted.push(name(field));
  }
  return drifted;
}

/** Whether two slots are the same (the outcome, the game and the position count). */
export function sameSlot(a: Slot | undefined, b: Slot | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.rank === b.rank &&
    sameCounters(a.counters, b.counters) &&
    a.gameId === b.gameId &&
    a.firstAt === b.firstAt
  );
}

/** Whether two summaries are the same (run lengths in any key order). */
function sameSummary(a: SequenceSummary | undefined, b: SequenceSummary | undefined): boolean {
  if (!a || !b) return a === b;
  const lengths = (s: SequenceSummary) =>
    Object.entries(s.runLengths).sort(([x], [y]) => Number(x) - Number(y));
  return (
    a.matches === b.matches &&
    a.tailRun === b.tailRun &&
    same(lengths(a), lengths(b)) &&
    same(a.recent, b.recent)
  );
}

/**
 * The scopes whose sequence differs from what it should be: items (wins, breaks with their runs)
 * or the summary kept beside the counters.
 */
export function driftedSequences(
  stored: {
    readonly scopes: ReadonlyMap<string, ScopeState>;
    readonly sequences: ReadonlyMap<string, StoredSequence>;
  },
  expected: ExpectedPartition,
): string[] {
  const scopes = new Set([
    ...stored.sequences.keys(),
    ...expected.sequences.keys(),
    ...expected.scopes.keys(),
  ]);
  return [...scopes].filter((scope) => {
    const have = stored.sequences.get(scope) ?? { wins: [], breaks: [] };
    const want = expected.sequences.get(scope) ?? { wins: [], breaks: [] };
    const summary = expected.scopes.get(scope)?.summary;
    return (
      !same(have.wins, want.wins) ||
      !same(have.breaks, want.breaks) ||
      (summary !== undefined && !sameSummary(stored.scopes.get(scope)?.summary, summary))
    );
  });
}
