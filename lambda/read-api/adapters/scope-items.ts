import { ID_PATTERN } from '../../shared/contract/keys.ts';
import { countersOf, STATS_SK } from '../../statistics/index.ts';
import type { ScopeStats } from '../application/ports.ts';
import { type MatchResult, RECENT_RESULTS_SIZE } from '../constants.ts';

/**
 * The statistics items the read API reads in a user's partition of the statistics table: `STATS`
 * (every game) and `GAME#{gameId}` (one per game), which the statistics projector writes with the
 * contract's field names. Only those fields are read: the projector's own attributes (its version,
 * its bookkeeping of runs and positions) never reach an answer. Statistics items written before
 * streaks existed have no streak attributes: they read as no streak and no recent results.
 */

/** Sort key prefix of a user's per-game statistics items: `GAME#{gameId}`. */
export const GAME_SK_PREFIX = 'GAME#';

/** Sort key of a user's statistics item overall, or in `gameId`. */
export const scopeSk = (gameId: string | undefined): string =>
  gameId === undefined ? STATS_SK : `${GAME_SK_PREFIX}${gameId}`;

/**
 * The game of a per-game statistics item, from its sort key; `undefined` for a key that is not
 * `GAME#` followed by an id (ids hold no `#`, so nothing longer under the prefix is a game's item).
 */
export function gameIdOfSk(sk: unknown): string | undefined {
  if (typeof sk !== 'string' || !sk.startsWith(GAME_SK_PREFIX)) return undefined;
  const gameId = sk.slice(GAME_SK_PREFIX.length);
  return ID_PATTERN.test(gameId) ? gameId : undefined;
}

const RESULTS: ReadonlySet<unknown> = new Set<MatchResult>(['W', 'L', 'D']);

/** The newest results of a stored list: only outcomes, at most as many as the API shows. */
function recentResultsOf(value: unknown): readonly MatchResult[] {
  if (!Array.isArray(value)) return [];
  return value.filter((result): result is MatchResult => RESULTS.has(result)).slice(0, RECENT_RESULTS_SIZE);
}

/** The public statistics a statistics item holds (absent counters and streaks are 0). */
export function scopeStatsOf(item: Readonly<Record<string, unknown>>): ScopeStats {
  return {
    counters: countersOf(item),
    activityCount: Number(item.activityCount ?? 0),
    lastActivityAt: typeof item.lastActivityAt === 'string' ? item.lastActivityAt : null,
    currentWinStreak: Number(item.currentWinStreak ?? 0),
    longestWinStreak: Number(item.longestWinStreak ?? 0),
    recentResults: recentResultsOf(item.recentResults),
  };
}
