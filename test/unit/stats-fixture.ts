import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import type { Role } from '../../lambda/shared/contract/activity.ts';
import type { ProjectionStore, StateRequest } from '../../lambda/statistics/application/ports.ts';
import { ConditionFailed, MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import type { SequenceReader } from '../../lambda/statistics/domain/overlay.ts';
import type { MatchStanding } from '../../lambda/statistics/domain/placement.ts';
import {
  gameScope,
  OVERALL_SCOPE,
  placementsOf,
  standingAfter,
} from '../../lambda/statistics/domain/placement.ts';
import {
  type ProfileStatistics,
  profileStatsOf,
  type ScopeStatistics,
} from '../../lambda/statistics/domain/profile-stats.ts';
import type { ProjectionCommit, ProjectionState } from '../../lambda/statistics/domain/projection.ts';
import { type ScopeState, scopeStatistics } from '../../lambda/statistics/domain/scopes.ts';
import {
  type SequenceMatch,
  type SequenceState,
  sequenceFromMatches,
} from '../../lambda/statistics/domain/sequence.ts';
import type { Slot, StatsActivity } from '../../lambda/statistics/domain/stats.ts';

/** The instant `minute` minutes into the generated season (UTC ISO). */
export const minuteAt = (minute: number) =>
  new Date(Date.UTC(2026, 4, 1, 12) + minute * 60_000).toISOString();

const gameArb = fc.constantFrom<string | undefined>('valorant', 'valorant', 'efootball', undefined);
const roleArb = fc.constantFrom<Role>('winner', 'winner', 'loser', 'draw');

/** One finalization of one of eight matches: the match's game, usually kept by its re-finalizations. */
const finalizationArb = fc
  .record({
    match: fc.integer({ min: 1, max: 8 }),
    minute: fc.integer({ min: 0, max: 90 }),
    revision: fc.nat({ max: 3 }),
    role: roleArb,
    otherGame: fc.option(gameArb, { freq: 6 }),
  })
  .map(({ match, minute, revision, role, otherGame }) => ({
    idempotencyKey: `match_finalized:m${match}:completed:${revision}`,
    detailType: 'MatchFinalized',
    tournamentId: `t${match % 3}`,
    occurredAt: minuteAt(minute),
    role,
    matchId: `m${match}`,
    // A match is played in its tournament's game; rarely a re-finalization names another one.
    gameId: otherGame === null ? gameOfTournament(match % 3) : otherGame,
  }));

const gameOfTournament = (t: number) => [undefined, 'valorant', 'efootball'][t];

const otherArb = fc
  .record({
    tournament: fc.integer({ min: 0, max: 2 }),
    minute: fc.integer({ min: 0, max: 90 }),
    kind: fc.constantFrom('TournamentCompleted', 'RegistrationStatusChanged', 'CheckInToggled'),
    role: fc.constantFrom<Role>('winner', 'participant'),
  })
  .map(({ tournament, minute, kind, role }) => ({
    idempotencyKey: `${kind}:t${tournament}:${minute}`,
    detailType: kind,
    tournamentId: `t${tournament}`,
    occurredAt: minuteAt(minute),
    role: kind === 'TournamentCompleted' ? role : 'participant',
    gameId: gameOfTournament(tournament),
  }));

/** A user's season: distinct activities (one payload per key) with games, finalizations often re-done. */
export function seasonArbitrary(
  userId: string,
  maxLength = 30,
  minLength = 0,
): fc.Arbitrary<StatsActivity[]> {
  return fc
    .uniqueArray(fc.oneof(finalizationArb, finalizationArb, otherArb), {
      selector: (a) => a.idempotencyKey,
      minLength,
      maxLength,
    })
    .map((activities) => activities.map((a) => ({ ...a, userId })));
}

/** A delivery of a season: shuffled, some activities twice, cut into batches of 1 to `maxBatch`. */
export function deliveryArbitrary(season: readonly StatsActivity[], maxBatch = 6) {
  return fc
    .record({
      order: fc.shuffledSubarray([...season, ...season.slice(0, 6)], {
        minLength: season.length + Math.min(6, season.length),
      }),
      sizes: fc.array(fc.integer({ min: 1, max: maxBatch }), { minLength: 20, maxLength: 20 }),
    })
    .map(({ order, sizes }) => {
      const batches: StatsActivity[][] = [];
      for (let i = 0, c = 0; i < order.length; c += 1) {
        const size = sizes[c % sizes.length] ?? 1;
        batches.push(order.slice(i, i + size));
        i += size;
      }
      return batches;
    });
}

/** Every scope's sequence as the contract's definitions place the season's matches. */
export function expectedSequences(activities: readonly StatsActivity[]): Map<string, SequenceState> {
  const standings = new Map<string, MatchStanding>();
  const seen = new Set<string>();
  for (const a of activities) {
    if (a.detailType !== 'MatchFinalized' || seen.has(a.idempotencyKey)) continue;
    seen.add(a.idempotencyKey);
    const matchId = String(a.matchId);
    standings.set(matchId, standingAfter(standings.get(matchId), { ...a, matchId }));
  }
  const byScope = new Map<string, SequenceMatch[]>();
  for (const standing of standings.values())
    for (const { scope, pos, outcome } of placementsOf(standing))
      byScope.set(scope, [...(byScope.get(scope) ?? []), { pos, outcome }]);
  return new Map([...byScope].map(([scope, matches]) => [scope, sequenceFromMatches(matches)]));
}

/**
 * One user's statistics partition in memory: the projector's store with the same conditions as the
 * DynamoDB one (markers absent, slot ranks, summary versions, sequence items), applied all or nothing.
 */
export class MemoryProjectionStore implements ProjectionStore {
  readonly scopes = new Map<string, ScopeState>();
  readonly slots = new Map<string, Slot>();
  readonly applied = new Set<string>();
  readonly items = new MemorySequenceStore();
  commits = 0;

  async load(_userId: string, request: StateRequest): Promise<ProjectionState> {
    return {
      scopes: new Map(request.scopes.map((scope) => [scope, this.scopes.get(scope)])),
      slots: new Map(
        request.slots.flatMap((name) => (this.slots.has(name) ? [[name, this.slots.get(name) as Slot]] : [])),
      ),
      applied: new Set(request.keys.filter((key) => this.applied.has(key))),
    };
  }

  sequences(): SequenceReader {
    return this.items;
  }

  async commit(commit: ProjectionCommit): Promise<'committed' | 'conflict'> {
    const holds =
      commit.markers.every((key) => !this.applied.has(key)) &&
      commit.slots.every(({ next, expectedRank }) => this.slots.get(next.slot)?.rank === expectedRank) &&
      commit.scopes.every(
        ({ scope, expectedVersion }) => this.scopes.get(scope)?.version === expectedVersion,
      );
    if (!holds) return 'conflict';
    try {
      // The sequence store keeps its own copy of the summaries, under the same versions.
      const summaries = commit.scopes.flatMap(({ scope, next, expectedVersion }) =>
        next.summary ? [{ scope, next: next.summary, version: next.version, expectedVersion }] : [],
      );
      this.items.apply({ items: commit.sequence, summaries });
    } catch (error) {
      if (error instanceof ConditionFailed) return 'conflict';
      throw error;
    }
    for (const key of commit.markers) this.applied.add(key);
    for (const { next } of commit.slots) this.slots.set(next.slot, next);
    for (const { scope, next } of commit.scopes) this.scopes.set(scope, next);
    this.commits += 1;
    return 'committed';
  }

  /** The statistics the store's summaries stand for: overall, and per game in `gameId` order. */
  statistics(): ProfileStatistics {
    const games = new Map<string, ScopeStatistics>();
    for (const [scope, state] of [...this.scopes].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (scope !== OVERALL_SCOPE) games.set(scope.slice(gameScope('').length), scopeStatistics(state));
    const overall = this.scopes.get(OVERALL_SCOPE);
    return { overall: overall ? scopeStatistics(overall) : profileStatsOf([]).overall, games };
  }
}

let records = 0;

/** The stored activity item `activity` stands for (its game in `fields.gameId`). */
export function activityItemOf(activity: StatsActivity): Record<string, unknown> {
  const { userId, idempotencyKey, detailType, tournamentId, occurredAt, role, matchId, gameId } = activity;
  const fields = {
    ...(matchId === undefined ? {} : { matchId }),
    ...(gameId === undefined ? {} : { gameId }),
  };
  return {
    userId,
    idempotencyKey,
    detailType,
    tournamentId,
    occurredAt,
    role,
    fields,
    feedKey: `${occurredAt}#${idempotencyKey}`,
    payloadHash: `test:${idempotencyKey}`,
    recordedAt: occurredAt,
  };
}

/** The stream record of the insert of `activity`'s item. */
export function recordOf(activity: StatsActivity): DynamoDBRecord {
  records += 1;
  return {
    eventName: 'INSERT',
    dynamodb: {
      NewImage: marshall(activityItemOf(activity)) as never,
      SequenceNumber: String(records).padStart(21, '0'),
    },
  };
}
