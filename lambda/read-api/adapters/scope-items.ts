import { ID_PATTERN } from '../../shared/contract/keys.ts';
import { RECENT_RESULTS_SIZE } from '../../shared/contract/limits.ts';
import { countersOf, GAME_PREFIX, gameSk, STATS_SK, scopeStatisticsOfItem } from '../../statistics/index.ts';
import type { ScopeStats } from '../application/ports.ts';
import type { MatchResult } from '../constants.ts';

/**
 * The statistics items the read API reads in a user's partition of the statistics table: `STATS`
 * (every game) and `GAME#{gameId}` (one per game), laid out and read as the statistics feature
 * defines them (`lambda/statistics/domain/scope-items.ts`). Only the contract's fields are read:
 * the projector's own attributes (its version, its bookkeeping of runs and positions) never reach
 * an answer. Statistics items written before streaks existed have no streak attributes: they read
 * as no streak and no recent results.
 */

/** Sort key of a user's statistics item overall, or in `gameId`. */
export const scopeSk = (gameId: string | undefined): string =>
  gameId === undefined ? STATS_SK : gameSk(gameId);

/**
 * The game of a per-game statistics item, from its sort key; `undefined` for a key that is not
 * `GAME#` followed by an id (ids hold no `#`, so nothing longer under the prefix is a game's item).
 */
export function gameIdOfSk(sk: unknown): string | undefined {
  if (typeof sk !== 'string' || !sk.startsWith(GAME_PREFIX)) return undefined;
  const gameId = sk.slice(GAME_PREFIX.length);
  return ID_PATTERN.test(gameId) ? gameId : undefined;
}

const RESULTS: ReadonlySet<string> = new Set<MatchResult>(['W', 'L', 'D']);

/** The public statistics a statistics item holds (absent counters and streaks are 0). */
export function scopeStatsOf(item: Readonly<Record<string, unknown>>): ScopeStats {
  const { activityCount, lastActivityAt, currentWinStreak, longestWinStreak, recentResults } =
    scopeStatisticsOfItem(item);
  return {
    counters: countersOf(item),
    activityCount,
    lastActivityAt,
    currentWinStreak,
    longestWinStreak,
    // Only outcomes, at most as many as the API shows, whatever the item holds.
    recentResults: recentResults
      .filter((result): result is MatchResult => RESULTS.has(result))
      .slice(0, RECENT_RESULTS_SIZE),
  };
}
