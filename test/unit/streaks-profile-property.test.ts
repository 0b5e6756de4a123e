import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import {
  gameScope,
  type MatchStanding,
  OVERALL_SCOPE,
  standingAfter,
  standingOps,
} from '../../lambda/statistics/domain/placement.ts';
import {
  type ProfileActivity,
  profileStatsOf,
  type ScopeStatistics,
} from '../../lambda/statistics/domain/profile-stats.ts';
import { EMPTY_SUMMARY, streaksOfSummary } from '../../lambda/statistics/domain/sequence.ts';
import type { SequenceOp } from '../../lambda/statistics/domain/streaks.ts';
import { commit, instant } from './streaks-fixture.ts';

type Counters = Omit<ScopeStatistics, 'currentWinStreak' | 'longestWinStreak' | 'recentResults'>;

const ZERO: Counters = {
  matchesPlayed: 0,
  matchesWon: 0,
  matchesLost: 0,
  matchesDrawn: 0,
  tournamentsPlayed: 0,
  tournamentsWon: 0,
  activityCount: 0,
  lastActivityAt: null,
};

const MATCH_FIELD = { W: 'matchesWon', L: 'matchesLost', D: 'matchesDrawn' } as const;

/** The tournament slot of the incremental model: its counting completion. */
interface Completion {
  readonly rank: string;
  readonly won: boolean;
  readonly gameId: string | undefined;
}

/**
 * An incremental projector in miniature: markers, a latest-wins standing per match and tournament,
 * counters moved by differences, and the sequences kept by the planner over the in-memory store.
 */
class IncrementalProfile {
  readonly store = new MemorySequenceStore();
  private readonly applied = new Set<string>();
  private readonly matches = new Map<string, MatchStanding>();
  private readonly completions = new Map<string, Completion>();
  private readonly counters = new Map<string, Counters>();

  /** Applies a commit's activities (redelivered ones are skipped by their marker). */
  async apply(activities: readonly ProfileActivity[]): Promise<void> {
    const ops: SequenceOp[] = [];
    for (const activity of activities) {
      if (this.applied.has(activity.idempotencyKey)) continue;
      this.applied.add(activity.idempotencyKey);
      this.count(activity);
      if (activity.detailType === 'MatchFinalized') ops.push(...this.finalize(activity));
      if (activity.detailType === 'TournamentCompleted') this.complete(activity);
    }
    if (ops.length > 0) await commit(this.store, ops);
  }

  /** The statistics of a scope as the model keeps them. */
  statistics(scope: string): ScopeStatistics {
    const summary = this.store.summaries().get(scope)?.summary ?? EMPTY_SUMMARY;
    return { ...(this.counters.get(scope) ?? ZERO), ...streaksOfSummary(summary) };
  }

  /** The game scopes with any activity. */
  games(): string[] {
    return [...this.counters.keys()].filter((scope) => scope !== OVERALL_SCOPE);
  }

  private count(activity: ProfileActivity): void {
    for (const scope of scopesOf(activity.gameId))
      this.move(scope, (c) => ({
        activityCount: c.activityCount + 1,
        lastActivityAt:
          c.lastActivityAt === null || activity.occurredAt > c.lastActivityAt
            ? activity.occurredAt
            : c.lastActivityAt,
      }));
  }

  private finalize(activity: ProfileActivity): SequenceOp[] {
    const matchId = String(activity.matchId);
    const before = this.matches.get(matchId);
    const after = standingAfter(before, { ...activity, matchId });
    this.matches.set(matchId, after);
    const ops = standingOps(before, after);
    for (const op of ops) {
      const sign = op.kind === 'insert' ? 1 : -1;
      const field = MATCH_FIELD[op.outcome];
      this.move(op.scope, (c) => ({ [field]: c[field] + sign, matchesPlayed: c.matchesPlayed + sign }));
    }
    return ops;
  }

  private complete(activity: ProfileActivity): void {
    const rank = `${activity.occurredAt}#${activity.idempotencyKey}`;
    const before = this.completions.get(activity.tournamentId);
    if (before && before.rank > rank) return;
    const after = { rank, won: activity.role === 'winner', gameId: activity.gameId };
    this.completions.set(activity.tournamentId, after);
    for (const [slot, sign] of [
      [before, -1],
      [after, 1],
    ] as const)
      if (slot)
        for (const scope of scopesOf(slot.gameId))
          this.move(scope, (c) => ({
            tournamentsPlayed: c.tournamentsPlayed + sign,
            tournamentsWon: c.tournamentsWon + (slot.won ? sign : 0),
          }));
  }

  private move(scope: string, change: (c: Counters) => Partial<Counters>): void {
    const current = this.counters.get(scope) ?? ZERO;
    this.counters.set(scope, { ...current, ...change(current) });
  }
}

function scopesOf(gameId: string | undefined): string[] {
  return gameId === undefined ? [OVERALL_SCOPE] : [OVERALL_SCOPE, gameScope(gameId)];
}

const gameArb = fc.constantFrom<string | undefined>('a', 'b', undefined);
const finalizationArb = fc
  .record({
    match: fc.integer({ min: 1, max: 7 }),
    minute: fc.integer({ min: 0, max: 60 }),
    resolution: fc.constantFrom('completed', 'forfeit', 'dispute_resolved'),
    role: fc.constantFrom('winner', 'winner', 'loser', 'draw', 'participant'),
    gameId: gameArb,
  })
  .map(
    ({ match, minute, resolution, role, gameId }): ProfileActivity => ({
      idempotencyKey: `match_finalized:m${match}:${resolution}:${minute}`,
      detailType: 'MatchFinalized',
      tournamentId: `t${match % 3}`,
      occurredAt: instant(minute),
      role,
      matchId: `m${match}`,
      gameId,
    }),
  );
const otherArb = fc
  .record({
    tournament: fc.integer({ min: 1, max: 3 }),
    minute: fc.integer({ min: 0, max: 60 }),
    kind: fc.constantFrom('TournamentCompleted', 'RegistrationStatusChanged'),
    role: fc.constantFrom('winner', 'participant'),
    gameId: gameArb,
  })
  .map(
    ({ tournament, minute, kind, role, gameId }): ProfileActivity => ({
      idempotencyKey: `${kind}:t${tournament}:${minute}`,
      detailType: kind,
      tournamentId: `t${tournament}`,
      occurredAt: instant(minute),
      role,
      gameId,
    }),
  );

/** A set of distinct activities (one payload per key), then a delivery: shuffled, with duplicates, in commits. */
const deliveryArb = fc
  .uniqueArray(fc.oneof(finalizationArb, finalizationArb, otherArb), {
    selector: (a) => a.idempotencyKey,
    maxLength: 25,
  })
  .chain((set) =>
    fc.record({
      set: fc.constant(set),
      order: fc.shuffledSubarray([...set, ...set.slice(0, 8)], {
        minLength: set.length + Math.min(8, set.length),
      }),
      sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 40, maxLength: 40 }),
    }),
  );

function expectModelToEqualReference(model: IncrementalProfile, delivered: readonly ProfileActivity[]): void {
  const reference = profileStatsOf(delivered);
  expect(model.statistics(OVERALL_SCOPE)).toEqual(reference.overall);
  expect(model.games().sort()).toEqual([...reference.games.keys()].map(gameScope));
  for (const [gameId, stats] of reference.games) expect(model.statistics(gameScope(gameId))).toEqual(stats);
}

describe('statistics kept incrementally against profileStatsOf', () => {
  it('equal the reference over everything delivered so far, after every commit of a shuffled, duplicated delivery', async () => {
    await fc.assert(
      fc.asyncProperty(deliveryArb, async ({ order, sizes }) => {
        // Prepare
        const model = new IncrementalProfile();
        let delivered = 0;
        for (let i = 0; delivered < order.length; i += 1) {
          // Act: the next commit of one to three activities
          const size = sizes[i % sizes.length] ?? 1;
          await model.apply(order.slice(delivered, delivered + size));
          delivered += size;
          // Assess
          expectModelToEqualReference(model, order.slice(0, delivered));
        }
      }),
      { seed: 27, numRuns: 500 },
    );
  });
});
