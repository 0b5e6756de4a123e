import { type Outcome, type Streaks, streaksOf } from './sequence.ts';

/**
 * The reference definition of a user's statistics overall and per game, literally as the contract
 * states them ("Profile statistics", "Streaks and recent form", "Per game"). It recomputes from the
 * whole set on purpose: it is what the incremental projector, audit and the tests are held to.
 */

/** What the statistics need of one of the user's activities. */
export interface ProfileActivity {
  readonly idempotencyKey: string;
  readonly detailType: string;
  readonly tournamentId: string;
  /** UTC ISO with milliseconds (`toISOString`), so string order is instant order. */
  readonly occurredAt: string;
  /** The user's own role: `winner`, `loser`, `draw` or another word (`participant`). */
  readonly role: string;
  /** The match a finalization is about. */
  readonly matchId?: string | undefined;
  readonly gameId?: string | undefined;
}

/** The statistics of one scope (every game, or one game), with the contract's field names. */
export interface ScopeStatistics extends Streaks {
  readonly matchesPlayed: number;
  readonly matchesWon: number;
  readonly matchesLost: number;
  readonly matchesDrawn: number;
  readonly tournamentsPlayed: number;
  readonly tournamentsWon: number;
  readonly activityCount: number;
  /** `null` when the scope has no activity. */
  readonly lastActivityAt: string | null;
}

/** A user's statistics over every activity, and for each game among their activities. */
export interface ProfileStatistics {
  readonly overall: ScopeStatistics;
  /** By `gameId`, in ascending order of `gameId`. */
  readonly games: ReadonlyMap<string, ScopeStatistics>;
}

/** A match as the contract counts it: its counting finalization and when it was first played. */
interface CountedMatch {
  readonly matchId: string;
  readonly counting: ProfileActivity;
  /** The earliest `occurredAt` among the user's finalizations of the match. */
  readonly firstAt: string;
}

/** Latest wins: the greater `occurredAt`, then the greater idempotency key. */
function isLater(a: ProfileActivity, b: ProfileActivity): boolean {
  return (
    a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.idempotencyKey > b.idempotencyKey)
  );
}

function outcomeFor(role: string): Outcome {
  if (role === 'winner') return 'W';
  if (role === 'draw') return 'D';
  return 'L';
}

/** One activity per idempotency key (the first one given). */
function distinctByKey(activities: Iterable<ProfileActivity>): ProfileActivity[] {
  const byKey = new Map<string, ProfileActivity>();
  for (const activity of activities)
    if (!byKey.has(activity.idempotencyKey)) byKey.set(activity.idempotencyKey, activity);
  return [...byKey.values()];
}

function countedMatches(activities: readonly ProfileActivity[]): CountedMatch[] {
  const matches = new Map<string, CountedMatch>();
  for (const activity of activities) {
    if (activity.detailType !== 'MatchFinalized') continue;
    const matchId = String(activity.matchId);
    const known = matches.get(matchId);
    const counting = known && !isLater(activity, known.counting) ? known.counting : activity;
    const firstAt = known && known.firstAt < activity.occurredAt ? known.firstAt : activity.occurredAt;
    matches.set(matchId, { matchId, counting, firstAt });
  }
  return [...matches.values()];
}

function countingCompletions(activities: readonly ProfileActivity[]): ProfileActivity[] {
  const completions = new Map<string, ProfileActivity>();
  for (const activity of activities) {
    if (activity.detailType !== 'TournamentCompleted') continue;
    const known = completions.get(activity.tournamentId);
    if (!known || isLater(activity, known)) completions.set(activity.tournamentId, activity);
  }
  return [...completions.values()];
}

/** Position order: earliest `occurredAt`, then `matchId` as a string. */
function byPosition(a: CountedMatch, b: CountedMatch): number {
  if (a.firstAt !== b.firstAt) return a.firstAt < b.firstAt ? -1 : 1;
  return a.matchId < b.matchId ? -1 : a.matchId > b.matchId ? 1 : 0;
}

function statisticsOf(
  activities: readonly ProfileActivity[],
  matches: readonly CountedMatch[],
  completions: readonly ProfileActivity[],
): ScopeStatistics {
  const outcomes = [...matches].sort(byPosition).map((match) => outcomeFor(match.counting.role));
  const count = (outcome: Outcome) => outcomes.filter((o) => o === outcome).length;
  let lastActivityAt: string | null = null;
  for (const { occurredAt } of activities)
    if (lastActivityAt === null || occurredAt > lastActivityAt) lastActivityAt = occurredAt;
  return {
    matchesPlayed: outcomes.length,
    matchesWon: count('W'),
    matchesLost: count('L'),
    matchesDrawn: count('D'),
    tournamentsPlayed: completions.length,
    tournamentsWon: completions.filter((completion) => completion.role === 'winner').length,
    activityCount: activities.length,
    lastActivityAt,
    ...streaksOf(outcomes),
  };
}

/**
 * A user's statistics from the set of their activities: overall, and for each `gameId` among them.
 * Duplicates (same key) count once and order does not matter. Counting and positions are decided
 * over all of the user's activities; a match or tournament then belongs to the game its counting
 * finalization or completion carries, and a game's activity count and last activity cover the
 * activities that carry that game.
 */
export function profileStatsOf(activities: Iterable<ProfileActivity>): ProfileStatistics {
  const distinct = distinctByKey(activities);
  const matches = countedMatches(distinct);
  const completions = countingCompletions(distinct);
  const overall = statisticsOf(distinct, matches, completions);
  const gameIds = [...new Set(distinct.flatMap((a) => (a.gameId === undefined ? [] : [a.gameId])))].sort();
  const games = new Map<string, ScopeStatistics>();
  for (const gameId of gameIds)
    games.set(
      gameId,
      statisticsOf(
        distinct.filter((activity) => activity.gameId === gameId),
        matches.filter((match) => match.counting.gameId === gameId),
        completions.filter((completion) => completion.gameId === gameId),
      ),
    );
  return { overall, games };
}
