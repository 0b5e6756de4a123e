import { gameScope, OVERALL_SCOPE } from './placement.ts';
import type { ScopeStatistics } from './profile-stats.ts';
import { gameOfScope, type ScopeState, type StoredStats } from './scopes.ts';
import { longestRun, type Outcome, type SequenceSummary } from './sequence.ts';
import { COUNTER_NAMES, type Counters, matchesPlayed } from './stats.ts';

/**
 * The summary items of a user's statistics partition: `STATS` (every activity) and `GAME#{gameId}`
 * (the activities that carry that game). Both hold the contract's fields under the contract's names,
 * which is all the read API reads, and beside them what the projector keeps to maintain them: the
 * version, the count of runs of wins by length and the positions of the recent matches.
 */

/** Sort key of a user's overall statistics item. */
export const STATS_SK = 'STATS';
/** Sort key prefix of a user's per-game statistics items: `GAME#{gameId}`. */
export const GAME_PREFIX = 'GAME#';

/** The sort key of a game's statistics item. */
export function gameSk(gameId: string): string {
  return `${GAME_PREFIX}${gameId}`;
}

/** The sort key of a scope's summary item. */
export function scopeSk(scope: string): string {
  const gameId = gameOfScope(scope);
  return gameId === undefined ? STATS_SK : gameSk(gameId);
}

/** The scope a summary item's sort key stands for (`undefined`: not a summary item). */
export function scopeOfSk(sk: string): string | undefined {
  if (sk === STATS_SK) return OVERALL_SCOPE;
  return sk.startsWith(GAME_PREFIX) ? gameScope(sk.slice(GAME_PREFIX.length)) : undefined;
}

/** Counters read from an item or a statistics view (absent attributes are 0). */
export function countersOf(item: Readonly<Record<string, unknown>> | Counters): Counters {
  const source = item as Readonly<Record<string, unknown>>;
  const out = {} as Record<keyof Counters, number>;
  for (const name of COUNTER_NAMES) out[name] = Number(source[name] ?? 0);
  return out;
}

/** The streak attributes of a summary: the contract's three fields, and the projector's own two. */
function summaryAttributes(summary: SequenceSummary | undefined): Record<string, unknown> {
  if (!summary) return {};
  return {
    currentWinStreak: summary.tailRun,
    longestWinStreak: longestRun(summary.runLengths),
    recentResults: summary.recent.map((match) => match.outcome),
    recentPositions: summary.recent.map((match) => match.pos),
    runLengths: { ...summary.runLengths },
  };
}

/** A scope's summary item. */
export function scopeItem(
  userId: string,
  scope: string,
  state: ScopeState,
  now: Date,
): Record<string, unknown> {
  const { counters } = state;
  const gameId = gameOfScope(scope);
  return {
    userId,
    sk: scopeSk(scope),
    ...(gameId === undefined ? {} : { gameId }),
    ...counters,
    matchesPlayed: matchesPlayed(counters),
    activityCount: state.activityCount,
    ...(state.lastActivityAt === null ? {} : { lastActivityAt: state.lastActivityAt }),
    ...summaryAttributes(state.summary),
    version: state.version,
    updatedAt: now.toISOString(),
  };
}

/** Stored counters from a summary item. */
export function storedStatsOf(item: Readonly<Record<string, unknown>>): StoredStats {
  return {
    counters: countersOf(item),
    activityCount: Number(item.activityCount ?? 0),
    lastActivityAt: typeof item.lastActivityAt === 'string' ? item.lastActivityAt : null,
    version: Number(item.version ?? 0),
  };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** The sequence summary a summary item keeps; `undefined` for an item written before sequences were kept. */
function summaryOf(item: Readonly<Record<string, unknown>>, counters: Counters): SequenceSummary | undefined {
  const { runLengths } = item;
  if (runLengths === null || typeof runLengths !== 'object') return undefined;
  const outcomes = strings(item.recentResults);
  return {
    // Every counted match of the scope is in its sequence: the invariant the projector keeps.
    matches: matchesPlayed(counters),
    tailRun: Number(item.currentWinStreak ?? 0),
    runLengths: Object.fromEntries(Object.entries(runLengths).map(([length, n]) => [length, Number(n)])),
    recent: strings(item.recentPositions).map((pos, i) => ({
      pos,
      outcome: (outcomes[i] ?? 'L') as Outcome,
    })),
  };
}

/** A scope's stored state from its summary item. */
export function scopeStateOf(item: Readonly<Record<string, unknown>>): ScopeState {
  const stored = storedStatsOf(item);
  return { ...stored, summary: summaryOf(item, stored.counters) };
}

/**
 * The contract's statistics exactly as a summary item stores them: what the read API shows and
 * audit compares (a stored sum or streak that drifted from its parts shows as it is stored).
 */
export function scopeStatisticsOfItem(item: Readonly<Record<string, unknown>> | undefined): ScopeStatistics {
  const counters = countersOf(item ?? {});
  const stored = (name: string, fallback: number) => Number(item?.[name] ?? fallback);
  return {
    ...counters,
    matchesPlayed: stored('matchesPlayed', matchesPlayed(counters)),
    activityCount: stored('activityCount', 0),
    lastActivityAt: typeof item?.lastActivityAt === 'string' ? item.lastActivityAt : null,
    currentWinStreak: stored('currentWinStreak', 0),
    longestWinStreak: stored('longestWinStreak', 0),
    recentResults: strings(item?.recentResults) as Outcome[],
  };
}
