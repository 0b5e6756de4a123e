import type { Role } from '../../shared/contract/activity.ts';

/**
 * Profile statistics as the contract defines them, and the per-activity effects the projector
 * applies incrementally. Everything here is pure: no storage, no clock.
 */

/** The counters a counting finalization or completion contributes. */
export interface Counters {
  readonly matchesWon: number;
  readonly matchesLost: number;
  readonly matchesDrawn: number;
  readonly tournamentsPlayed: number;
  readonly tournamentsWon: number;
}

/** A user's statistics, with the contract's field names. */
export interface ProfileStats extends Counters {
  readonly userId: string;
  readonly matchesPlayed: number;
  readonly activityCount: number;
  /** Greatest `occurredAt` (UTC ISO) among the user's activities; `null` when there are none. */
  readonly lastActivityAt: string | null;
}

/** What the statistics need of an activity (a stored activity item of either shape has all of it). */
export interface StatsActivity {
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly detailType: string;
  readonly tournamentId: string;
  /** UTC ISO (`toISOString`), so string order is instant order. */
  readonly occurredAt: string;
  /** The user's own role in the event. */
  readonly role: Role;
  /** The match a finalization is about (`undefined` for other event types). */
  readonly matchId?: string | undefined;
  /** The game the event named (`undefined` when it named none). */
  readonly gameId?: string | undefined;
}

/** Sort key prefixes of the latest-wins slots: one match, one tournament. */
export const MATCH_SLOT_PREFIX = 'MATCH#';
export const TOURNAMENT_SLOT_PREFIX = 'TOURNAMENT#';

/** A latest-wins slot: one match or one tournament of one user. */
export interface Slot {
  /** `MATCH#{matchId}` or `TOURNAMENT#{tournamentId}`. */
  readonly slot: string;
  /**
   * Order of finalizations for the slot: `{occurredAt}#{idempotencyKey}`. `occurredAt` has a fixed
   * width, so comparing these strings compares (instant, then key) exactly as the contract says.
   */
  readonly rank: string;
  readonly counters: Counters;
  /** The game the counting finalization or completion carries: the match or tournament belongs to it. */
  readonly gameId?: string | undefined;
  /**
   * Match slots: the earliest `occurredAt` among the user's finalizations of the match, which is
   * where the match stands in the user's history (an overturn changes the outcome, not the position).
   */
  readonly firstAt?: string | undefined;
}

/** The effect of one activity on its user's statistics. */
export interface Effect {
  readonly idempotencyKey: string;
  readonly occurredAt: string;
  /** The game the activity carries: it counts in that game's statistics too. */
  readonly gameId?: string | undefined;
  /** Set for finalizations and completions, which compete latest-wins in their slot. */
  readonly slot?: Slot | undefined;
}

/** All counters zero. */
export const ZERO: Counters = {
  matchesWon: 0,
  matchesLost: 0,
  matchesDrawn: 0,
  tournamentsPlayed: 0,
  tournamentsWon: 0,
};

/** The counters' names, as the contract and the statistics items spell them. */
export const COUNTER_NAMES = Object.keys(ZERO) as readonly (keyof Counters)[];

/** The statistics fields with the contract's names (what audit compares). */
export const STAT_FIELDS = [
  'matchesPlayed',
  ...COUNTER_NAMES,
  'activityCount',
  'lastActivityAt',
] as const satisfies readonly (keyof ProfileStats)[];

/** Matches played, as the contract defines them: won + lost + drawn. */
export function matchesPlayed(counters: Counters): number {
  return counters.matchesWon + counters.matchesLost + counters.matchesDrawn;
}

/** `a + sign * b`, counter by counter. */
export function addCounters(a: Counters, b: Counters, sign: 1 | -1 = 1): Counters {
  const out = { ...a } as Record<keyof Counters, number>;
  for (const name of COUNTER_NAMES) out[name] = a[name] + sign * b[name];
  return out;
}

/** Whether two counter sets are equal. */
export function sameCounters(a: Counters, b: Counters): boolean {
  return COUNTER_NAMES.every((name) => a[name] === b[name]);
}

/** The effect of one activity for its user. */
export function effectOf(activity: StatsActivity): Effect {
  const { idempotencyKey, occurredAt, role, gameId } = activity;
  const rank = `${occurredAt}#${idempotencyKey}`;
  const base = { idempotencyKey, occurredAt, gameId };
  if (activity.detailType === 'MatchFinalized') {
    const counters = {
      ...ZERO,
      matchesDrawn: role === 'draw' ? 1 : 0,
      matchesWon: role === 'winner' ? 1 : 0,
      // The contract: a participant who neither won nor drew lost.
      matchesLost: role === 'winner' || role === 'draw' ? 0 : 1,
    };
    const slot = `${MATCH_SLOT_PREFIX}${String(activity.matchId)}`;
    return { ...base, slot: { slot, rank, counters, gameId, firstAt: occurredAt } };
  }
  if (activity.detailType === 'TournamentCompleted') {
    const counters = { ...ZERO, tournamentsPlayed: 1, tournamentsWon: role === 'winner' ? 1 : 0 };
    return {
      ...base,
      slot: { slot: `${TOURNAMENT_SLOT_PREFIX}${activity.tournamentId}`, rank, counters, gameId },
    };
  }
  return base;
}

/**
 * One slot from two finalizations or completions of the same match or tournament: the greater rank
 * decides the outcome and the game (latest wins), the earlier instant the match's position.
 */
export function mergeSlot(known: Slot | undefined, next: Slot): Slot {
  if (!known) return next;
  const winner = next.rank > known.rank ? next : known;
  const firstAt = [known.firstAt, next.firstAt].filter((at) => at !== undefined).sort()[0];
  return firstAt === winner.firstAt ? winner : { ...winner, firstAt };
}

/** Statistics from counters, activity count and last activity time. */
export function profileStats(
  userId: string,
  counters: Counters,
  activityCount: number,
  lastActivityAt: string | null,
): ProfileStats {
  return {
    userId,
    ...counters,
    matchesPlayed: matchesPlayed(counters),
    activityCount,
    lastActivityAt,
  };
}

/** The slot that counts for each match and tournament: the greatest rank wins, the earliest instant places a match. */
export function countingSlots(effects: Iterable<Effect>): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  for (const { slot } of effects) if (slot) slots.set(slot.slot, mergeSlot(slots.get(slot.slot), slot));
  return slots;
}

/**
 * The reference definition: a user's statistics from the set of their activities, literally as the
 * contract states it. Duplicates (same key) count once; order does not matter.
 */
export function statsOf(userId: string, activities: Iterable<StatsActivity>): ProfileStats {
  const distinct = new Map<string, Effect>();
  for (const activity of activities) {
    if (activity.userId !== userId) continue;
    if (!distinct.has(activity.idempotencyKey)) distinct.set(activity.idempotencyKey, effectOf(activity));
  }
  let counters = ZERO;
  for (const slot of countingSlots(distinct.values()).values())
    counters = addCounters(counters, slot.counters);
  let last: string | null = null;
  for (const effect of distinct.values())
    if (last === null || effect.occurredAt > last) last = effect.occurredAt;
  return profileStats(userId, counters, distinct.size, last);
}

/** Matches won over matches played; 0 when no match was played. */
export function winRate(stats: Pick<ProfileStats, 'matchesWon' | 'matchesPlayed'>): number {
  return stats.matchesPlayed === 0 ? 0 : stats.matchesWon / stats.matchesPlayed;
}
