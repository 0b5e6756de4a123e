import { gameScope, type MatchStanding, OVERALL_SCOPE } from './placement.ts';
import type { ScopeStatistics } from './profile-stats.ts';
import { EMPTY_SUMMARY, type Outcome, type SequenceSummary, streaksOfSummary } from './sequence.ts';
import { type Counters, MATCH_SLOT_PREFIX, matchesPlayed, type Slot, ZERO } from './stats.ts';

/**
 * A user's statistics are kept per scope: every activity counts in the overall scope, and an
 * activity that carries a game counts in that game's scope too. Each scope has one summary item
 * (the counters, the activity count, the last activity and the sequence summary under one version)
 * and its own sequence of matches. Pure.
 */

/** The counters of a scope as stored, with the optimistic-lock version every write checks and increments. */
export interface StoredStats {
  readonly counters: Counters;
  readonly activityCount: number;
  readonly lastActivityAt: string | null;
  /** Optimistic-lock version: every write of the item checks and increments it. */
  readonly version: number;
}

/** The stored statistics of one scope. */
export interface ScopeState extends StoredStats {
  /**
   * The scope's sequence summary. `undefined` only for an overall item written before sequences
   * were kept: its streaks are unknown until `tpi audit --repair` builds them, and the projector
   * keeps its counters without touching its sequence meanwhile.
   */
  readonly summary: SequenceSummary | undefined;
}

/** A scope's statistics before anything was applied to it. */
export const EMPTY_SCOPE: ScopeState = {
  counters: ZERO,
  activityCount: 0,
  lastActivityAt: null,
  version: 0,
  summary: EMPTY_SUMMARY,
};

/** The prefix of game scopes (see {@link gameScope}). */
const GAME_SCOPE_PREFIX = gameScope('');

/** The scopes an activity, a slot or a match with this game counts in. */
export function scopesOf(gameId: string | undefined): string[] {
  return gameId === undefined ? [OVERALL_SCOPE] : [OVERALL_SCOPE, gameScope(gameId)];
}

/** The game of a game scope; `undefined` for the overall scope. */
export function gameOfScope(scope: string): string | undefined {
  return scope.startsWith(GAME_SCOPE_PREFIX) ? scope.slice(GAME_SCOPE_PREFIX.length) : undefined;
}

/** The outcome a match slot's counters stand for. */
export function outcomeOfCounters(counters: Counters): Outcome {
  if (counters.matchesWon > 0) return 'W';
  return counters.matchesDrawn > 0 ? 'D' : 'L';
}

/** The instant of a rank `{occurredAt}#{idempotencyKey}`. */
export function instantOfRank(rank: string): string {
  const hash = rank.indexOf('#');
  return hash < 0 ? rank : rank.slice(0, hash);
}

/** The standing a match slot records (`undefined` for no slot or a tournament slot). */
export function standingOfSlot(slot: Slot | undefined): MatchStanding | undefined {
  if (!slot?.slot.startsWith(MATCH_SLOT_PREFIX)) return undefined;
  return {
    matchId: slot.slot.slice(MATCH_SLOT_PREFIX.length),
    // A slot written before positions were kept: its counting finalization's instant is the best known.
    firstAt: slot.firstAt ?? instantOfRank(slot.rank),
    rank: slot.rank,
    outcome: outcomeOfCounters(slot.counters),
    gameId: slot.gameId,
  };
}

/** The contract's statistics of a scope, as its stored state stands for them. */
export function scopeStatistics(state: ScopeState): ScopeStatistics {
  return {
    ...state.counters,
    matchesPlayed: matchesPlayed(state.counters),
    activityCount: state.activityCount,
    lastActivityAt: state.lastActivityAt,
    ...streaksOfSummary(state.summary ?? EMPTY_SUMMARY),
  };
}
