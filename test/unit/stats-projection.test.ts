import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUserEffects, chunksOf } from '../../lambda/statistics/application/project-stats.ts';
import { OVERALL_SCOPE } from '../../lambda/statistics/domain/placement.ts';
import { profileStatsOf } from '../../lambda/statistics/domain/profile-stats.ts';
import { commitActionCount, planProjection } from '../../lambda/statistics/domain/projection.ts';
import { EMPTY_SCOPE } from '../../lambda/statistics/domain/scopes.ts';
import { effectOf, type StatsActivity, statsOf } from '../../lambda/statistics/domain/stats.ts';
import {
  deliveryArbitrary,
  expectedSequences,
  MemoryProjectionStore,
  minuteAt,
  seasonArbitrary,
} from './stats-fixture.ts';

const USER = 'u1';

const finalized = (
  matchId: string,
  minute: number,
  role: StatsActivity['role'],
  more: Partial<StatsActivity> = {},
) =>
  ({
    userId: USER,
    idempotencyKey: `match_finalized:${matchId}:completed:${minute}`,
    detailType: 'MatchFinalized',
    tournamentId: 't1',
    occurredAt: minuteAt(minute),
    role,
    matchId,
    gameId: 'valorant',
    ...more,
  }) satisfies StatsActivity;

async function applyAll(store: MemoryProjectionStore, batches: readonly (readonly StatsActivity[])[]) {
  for (const batch of batches) await applyUserEffects(USER, batch.map(effectOf), store);
}

describe('the projector over an in-memory store', () => {
  it('keeps overall and per-game statistics, streaks included, equal to profileStatsOf after every batch', async () => {
    const reads = { countWins: 0, lastMatches: 0 };
    await fc.assert(
      fc.asyncProperty(
        seasonArbitrary(USER).chain((season) => fc.tuple(fc.constant(season), deliveryArbitrary(season))),
        async ([season, batches]) => {
          // Prepare
          const store = new MemoryProjectionStore();
          const delivered: StatsActivity[] = [];
          for (const batch of batches) {
            // Act
            await applyAll(store, [batch]);
            delivered.push(...batch);

            // Assess
            expect(store.statistics()).toEqual(profileStatsOf(delivered));
          }
          const { overall } = store.statistics();
          const { userId: _user, ...counters } = statsOf(USER, season);
          expect(overall).toMatchObject(counters);
          for (const [scope, state] of expectedSequences(season))
            expect(store.items.state(scope)).toEqual(state);
          reads.countWins += store.items.reads.countWins;
          reads.lastMatches += store.items.reads.lastMatches;
        },
      ),
      { seed: 27, numRuns: 300 },
    );
    // The seasons reached the reads of a split run and of the recent form's refill.
    expect(reads.countWins).toBeGreaterThan(0);
    expect(reads.lastMatches).toBeGreaterThan(0);
  });

  it('does nothing when every activity was already applied', async () => {
    // Prepare
    const store = new MemoryProjectionStore();
    const activities = [finalized('m1', 0, 'winner')];
    await applyAll(store, [activities]);

    // Act
    const state = await store.load(USER, {
      keys: ['match_finalized:m1:completed:0'],
      slots: ['MATCH#m1'],
      scopes: [OVERALL_SCOPE],
    });
    const plan = await planProjection(USER, state, activities.map(effectOf), store.items);

    // Assess
    expect(plan).toBeUndefined();
  });

  it('moves a match to the earlier instant of an older finalization arriving late, its outcome unchanged', async () => {
    // Prepare: m1 won at minute 30, after a loss in m2 at minute 20
    const store = new MemoryProjectionStore();
    await applyAll(store, [[finalized('m2', 20, 'loser'), finalized('m1', 30, 'winner')]]);
    expect(store.statistics().overall).toMatchObject({ currentWinStreak: 1, recentResults: ['W', 'L'] });

    // Act: an older finalization of m1 (minute 10, a loss) arrives late
    await applyAll(store, [[finalized('m1', 10, 'loser')]]);

    // Assess: m1 now stands before m2 and still counts as won
    expect(store.statistics().overall).toMatchObject({
      matchesWon: 1,
      matchesLost: 1,
      currentWinStreak: 0,
      longestWinStreak: 1,
      recentResults: ['L', 'W'],
      activityCount: 3,
    });
  });

  it('joins two runs when a late match lands between them and splits the longest run when a win is overturned', async () => {
    // Prepare: W W _ W W W with a gap at minute 20
    const store = new MemoryProjectionStore();
    const wins = [0, 10, 30, 40, 50].map((minute, i) => finalized(`m${i}`, minute, 'winner'));
    await applyAll(store, [wins.slice(0, 2), wins.slice(2)]);
    expect(store.statistics().overall).toMatchObject({ currentWinStreak: 5, longestWinStreak: 5 });

    // Act: a late loss at minute 20 splits the run; then its overturn into a win joins it again
    await applyAll(store, [[finalized('late', 20, 'loser')]]);
    const split = store.statistics().overall;
    await applyAll(store, [
      [finalized('late', 25, 'winner', { idempotencyKey: 'match_finalized:late:dispute_resolved' })],
    ]);

    // Assess
    expect(split).toMatchObject({ currentWinStreak: 3, longestWinStreak: 3, matchesLost: 1 });
    expect(store.statistics().overall).toMatchObject({
      currentWinStreak: 6,
      longestWinStreak: 6,
      matchesLost: 0,
    });
    expect(store.statistics().games.get('valorant')).toMatchObject({ currentWinStreak: 6, matchesPlayed: 6 });
  });

  it('moves a match between games when its counting finalization names another game', async () => {
    // Prepare: m1 won in valorant
    const store = new MemoryProjectionStore();
    await applyAll(store, [[finalized('m1', 0, 'winner')]]);

    // Act: a later finalization, in a batch of its own, says the match was efootball's and lost
    await applyAll(store, [[finalized('m1', 5, 'loser', { gameId: 'efootball' })]]);

    // Assess: valorant keeps the activity but not the match
    const { games } = store.statistics();
    expect(games.get('valorant')).toMatchObject({ matchesPlayed: 0, activityCount: 1, recentResults: [] });
    expect(games.get('efootball')).toMatchObject({ matchesLost: 1, activityCount: 1, recentResults: ['L'] });
  });

  it('keeps the counters of an overall item written before sequences, and leaves its streaks to repair', async () => {
    // Prepare: statistics stored without a sequence summary (one match played)
    const store = new MemoryProjectionStore();
    store.scopes.set(OVERALL_SCOPE, {
      ...EMPTY_SCOPE,
      counters: { ...EMPTY_SCOPE.counters, matchesWon: 1 },
      activityCount: 1,
      version: 3,
      summary: undefined,
    });

    // Act
    await applyAll(store, [[finalized('m2', 10, 'loser')]]);

    // Assess: counters move, no sequence is invented; the game's own sequence starts fresh
    expect(store.scopes.get(OVERALL_SCOPE)).toMatchObject({
      activityCount: 2,
      version: 4,
      summary: undefined,
    });
    expect(store.statistics().games.get('valorant')).toMatchObject({ matchesLost: 1, recentResults: ['L'] });
  });

  it('writes and reads the same number of items for one more match whatever the history length', async () => {
    const costOfOneMore = async (history: number) => {
      // Prepare: a history of alternating wins and losses, in order
      const store = new MemoryProjectionStore();
      const past = Array.from({ length: history }, (_, i) =>
        finalized(`h${i}`, i, i % 2 === 0 ? 'winner' : 'loser'),
      );
      for (let i = 0; i < past.length; i += 20) await applyAll(store, [past.slice(i, i + 20)]);
      const reads = store.items.totalReads();

      // Act: one more match, after the others
      const next = [finalized('next', history + 1, 'winner')].map(effectOf);
      const state = await store.load(USER, {
        keys: [next[0]?.idempotencyKey ?? ''],
        slots: ['MATCH#next'],
        scopes: [OVERALL_SCOPE, 'game:valorant'],
      });
      const plan = await planProjection(USER, state, next, store.items);
      return { actions: plan ? commitActionCount(plan) : 0, reads: store.items.totalReads() - reads };
    };

    // Assess: marker, slot, a win item and the summary in two scopes; no sequence read
    expect(await costOfOneMore(2)).toEqual({ actions: 6, reads: 0 });
    expect(await costOfOneMore(600)).toEqual({ actions: 6, reads: 0 });
  });
});

describe("chunks of one user's activities", () => {
  it('keep each chunk within a transaction and a batch read, a finalization counting its sequence writes', () => {
    // Prepare: 120 finalizations and 120 check-ins of two games
    const effects = Array.from({ length: 240 }, (_, i) =>
      effectOf(
        i % 2 === 0
          ? finalized(`m${i}`, i, 'winner', { gameId: i % 4 === 0 ? 'valorant' : 'efootball' })
          : {
              ...finalized(`c${i}`, i, 'winner'),
              detailType: 'CheckInToggled',
              idempotencyKey: `checkin:${i}`,
            },
      ),
    );

    // Act
    const chunks = chunksOf(effects);

    // Assess: every activity once, in order; each chunk within 100 actions and 100 keys by the estimate
    expect(chunks.flat()).toEqual(effects);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const games = new Set(chunk.map((e) => e.gameId)).size;
      const finalizations = chunk.filter((e) => e.slot).length;
      expect(1 + games + chunk.length + finalizations * 5).toBeLessThanOrEqual(100);
      expect(1 + games + chunk.length + finalizations).toBeLessThanOrEqual(100);
    }
  });

  it('split a chunk whose plan needs more actions than a transaction allows, and apply it all', async () => {
    // Prepare: 30 wins, then 30 late losses each between two of them (each splits a run: 3 writes and reads)
    const store = new MemoryProjectionStore();
    await applyAll(store, [Array.from({ length: 30 }, (_, i) => finalized(`w${i}`, i * 10, 'winner'))]);
    const late = Array.from({ length: 30 }, (_, i) => finalized(`l${i}`, i * 10 + 5, 'loser'));
    const commitsBefore = store.commits;

    // Act
    await applyAll(store, [late]);

    // Assess
    expect(store.commits - commitsBefore).toBeGreaterThan(1);
    expect(store.statistics()).toEqual(
      profileStatsOf([
        ...Array.from({ length: 30 }, (_, i) => finalized(`w${i}`, i * 10, 'winner')),
        ...late,
      ]),
    );
  });
});
