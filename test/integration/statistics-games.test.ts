import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileStatsOf } from '../../lambda/statistics/domain/profile-stats.ts';
import type { StatsActivity } from '../../lambda/statistics/domain/stats.ts';
import { readStatsPartition } from '../../lambda/statistics/domain/stats-items.ts';
import { itemsOfUser } from '../support/dynamo.ts';
import { ProjectionRig } from '../support/projection.ts';
import { sharedFixture } from '../support/shared.ts';
import { shuffled } from '../support/tournament.ts';
import {
  deliveryArbitrary,
  expectedSequences,
  minuteAt,
  recordOf,
  seasonArbitrary,
} from '../unit/stats-fixture.ts';

const rig = sharedFixture(ProjectionRig.start, (started) => started.close());

/** Expects a user's summary and sequence items to equal the contract's definitions over `activities`. */
async function expectUserToMatch(userId: string, activities: readonly StatsActivity[]): Promise<void> {
  expect(await rig.storedProfile(userId), `statistics of ${userId}`).toEqual(profileStatsOf(activities));
  const { sequences } = readStatsPartition(await itemsOfUser(rig.db.doc, rig.db.names.stats, userId));
  const expected = expectedSequences(activities);
  expect([...sequences.keys()].sort(), `scopes with sequence items of ${userId}`).toEqual(
    [...expected]
      .filter(([, s]) => s.summary.matches > 0)
      .map(([scope]) => scope)
      .sort(),
  );
  for (const [scope, state] of expected)
    expect(sequences.get(scope) ?? { wins: [], breaks: [] }, `${scope} of ${userId}`).toEqual({
      wins: state.wins,
      breaks: state.breaks,
    });
}

const seasonsArb = (prefix: string) =>
  fc
    .tuple(seasonArbitrary(`${prefix}a`, 24, 6), seasonArbitrary(`${prefix}b`, 24, 6))
    .chain(([a, b]) => fc.tuple(fc.constant([...a, ...b]), deliveryArbitrary([...a, ...b], 12), fc.nat()));

describe('statistics per game, with streaks, on DynamoDB through the real store', () => {
  it('equal profileStatsOf for random seasons with games, duplicates, shuffles, overturns and redelivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).map(() => rig.nextPrefix()),
        fc.nat(),
        async (prefix, seed) => {
          // Prepare: two users' seasons, delivered shuffled with copies, in batches
          const [season, batches, replaySeed] = fc.sample(seasonsArb(prefix), { numRuns: 1, seed })[0] ?? [
            [],
            [],
            0,
          ];

          // Act: each batch delivered; every third one delivered again from a later record
          for (const [i, batch] of batches.entries()) {
            const records = batch.map(recordOf);
            await rig.deliver(records);
            if ((i + replaySeed) % 3 === 0) await rig.deliver(records.slice(1));
          }

          // Assess
          for (const userId of [`${prefix}a`, `${prefix}b`])
            await expectUserToMatch(
              userId,
              season.filter((a) => a.userId === userId),
            );
        },
      ),
      { seed: 2027, numRuns: 12 },
    );
  });

  it('equal profileStatsOf when racing deliveries of overlapping batches conflict on the sequences', async () => {
    // Prepare: one user's season of late matches, overturns and draws, in three overlapping batches
    const prefix = rig.nextPrefix();
    const userId = `${prefix}u`;
    const season = fc.sample(seasonArbitrary(userId, 30, 20), { numRuns: 1, seed: 8 })[0] ?? [];
    const order = shuffled(season, 3).map(recordOf);
    const third = Math.ceil(order.length / 3);

    // Act: five deliveries at once, each of a different slice
    await Promise.all(
      [0, 1, 2, 0, 1].map((k) =>
        rig.deliver(order.slice(k * third, Math.min(order.length, (k + 2) * third))),
      ),
    );

    // Assess
    expect(season.length).toBeGreaterThan(10);
    await expectUserToMatch(userId, season);
  });

  it('keep an old match where it was played when a late finalization of it arrives years later', async () => {
    // Prepare: a user's two wins, then a third match lost
    const prefix = rig.nextPrefix();
    const userId = `${prefix}u`;
    const finalization = (matchId: string, minute: number, role: StatsActivity['role']): StatsActivity => ({
      userId,
      idempotencyKey: `match_finalized:${matchId}:completed:${minute}`,
      detailType: 'MatchFinalized',
      tournamentId: 't',
      occurredAt: minuteAt(minute),
      role,
      matchId,
      gameId: 'valorant',
    });
    const season = [
      finalization('m1', 0, 'winner'),
      finalization('m2', 10, 'winner'),
      finalization('m3', 20, 'loser'),
    ];
    await rig.deliver(season.map(recordOf));

    // Act: the first match is overturned much later
    const overturn = finalization('m1', 500_000, 'loser');
    await rig.deliver([recordOf(overturn)]);

    // Assess: m1 stays first; the longest streak is now 1, the recent form shows the overturned result in place
    const { overall } = await rig.storedProfile(userId);
    expect(overall).toMatchObject({
      longestWinStreak: 1,
      currentWinStreak: 0,
      recentResults: ['L', 'W', 'L'],
    });
    await expectUserToMatch(userId, [...season, overturn]);
  });
});
