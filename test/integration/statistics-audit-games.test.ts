import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditStatistics } from '../../lambda/audit/adapters/audit-store.ts';
import { batchWriteAll } from '../../lambda/shared/aws/batch.ts';
import { profileStatsOf } from '../../lambda/statistics/domain/profile-stats.ts';
import type { StatsActivity } from '../../lambda/statistics/domain/stats.ts';
import { itemsOfUser } from '../support/dynamo.ts';
import { ProjectionRig } from '../support/projection.ts';
import { sharedFixture } from '../support/shared.ts';
import { activityItemOf, minuteAt, recordOf, seasonArbitrary } from '../unit/stats-fixture.ts';

const rig = sharedFixture(ProjectionRig.start, (started) => started.close());

const audit = (userId: string, repair = false) =>
  auditStatistics({
    client: rig.db.doc,
    tables: { activities: rig.db.names.activities, stats: rig.db.names.stats },
    userId,
    repair,
  });

/** Records the activities (their items) and delivers their stream records, as the stream would. */
async function recordAndDeliver(activities: readonly StatsActivity[]): Promise<void> {
  const puts = activities.map((a) => ({ PutRequest: { Item: activityItemOf(a) } }));
  await batchWriteAll(rig.db.doc, rig.db.names.activities, puts, { action: 'recording test activities' });
  await rig.deliver(activities.map(recordOf));
}

/** A user's season, projected; a long one with matches in two games and overturns. */
async function projectedSeason(seed: number) {
  const userId = `${rig.nextPrefix()}u`;
  const season = fc.sample(seasonArbitrary(userId, 40, 30), { numRuns: 1, seed })[0] ?? [];
  await recordAndDeliver(season);
  return { userId, season };
}

/** Every statistics item of a user but the markers, by sort key. */
async function statisticsItems(userId: string) {
  const items = await itemsOfUser(rig.db.doc, rig.db.names.stats, userId);
  return items.filter((item) => !String(item.sk).startsWith('APPLIED#'));
}

const update = (userId: string, sk: string, expression: string, values?: Record<string, unknown>) =>
  rig.db.doc.send(
    new UpdateCommand({
      TableName: rig.db.names.stats,
      Key: { userId, sk },
      UpdateExpression: expression,
      ...(values ? { ExpressionAttributeValues: values } : {}),
    }),
  );

describe('audit and repair of streaks and per-game statistics', () => {
  it('finds a corrupted game streak and sequence items, and repairs them so later matches count right', async () => {
    // Prepare: a projected season, then a game's streak, one win item and one break's run corrupted
    const { userId, season } = await projectedSeason(3);
    const items = await statisticsItems(userId);
    const game = items.find((item) => String(item.sk).startsWith('GAME#')) as Record<string, unknown>;
    const win = items.find((item) => String(item.sk).startsWith('W#all#')) as Record<string, unknown>;
    const lost = items.find((item) => String(item.sk).startsWith('B#all#')) as Record<string, unknown>;
    await update(userId, String(game.sk), 'SET currentWinStreak = :n, longestWinStreak = :n', { ':n': 42 });
    await rig.db.doc.send(new DeleteCommand({ TableName: rig.db.names.stats, Key: { userId, sk: win.sk } }));
    await update(userId, String(lost.sk), 'SET runBefore = :n', { ':n': 7 });

    // Act
    const found = await audit(userId);
    const fixed = await audit(userId, true);
    const after = await audit(userId);

    // Assess
    expect(found.drifted[0]?.driftedFields).toEqual(
      expect.arrayContaining([`${String(game.sk)}.currentWinStreak`, `${String(game.sk)}.longestWinStreak`]),
    );
    expect(found.drifted[0]?.driftedSlots).toContain('sequence:all');
    expect(fixed.repaired).toBe(1);
    expect(after.drifted).toEqual([]);
    expect(await rig.storedProfile(userId)).toEqual(profileStatsOf(season));

    // Act: a late match lands in the middle of the repaired history
    const late: StatsActivity = {
      userId,
      idempotencyKey: 'match_finalized:late:completed',
      detailType: 'MatchFinalized',
      tournamentId: 't1',
      occurredAt: minuteAt(45),
      role: 'loser',
      matchId: 'late',
      gameId: 'valorant',
    };
    await recordAndDeliver([late]);

    // Assess
    expect(await rig.storedProfile(userId)).toEqual(profileStatsOf([...season, late]));
    expect((await audit(userId)).drifted).toEqual([]);
  });

  it('builds the streaks of statistics kept before sequences, which the projector kept counting meanwhile', async () => {
    // Prepare: a season projected, then its partition taken back to the shape before games and
    // sequences: no game items, no sequence items, no streak attributes, slots without game or position
    const { userId, season } = await projectedSeason(11);
    for (const item of await statisticsItems(userId)) {
      const sk = String(item.sk);
      if (/^(GAME#|W#|B#)/.test(sk))
        await rig.db.doc.send(new DeleteCommand({ TableName: rig.db.names.stats, Key: { userId, sk } }));
      else if (sk === 'STATS')
        await update(
          userId,
          sk,
          'REMOVE currentWinStreak, longestWinStreak, recentResults, recentPositions, runLengths',
        );
      else await update(userId, sk, 'REMOVE gameId, firstAt');
    }
    const more = fc.sample(seasonArbitrary(userId, 10, 5), { numRuns: 1, seed: 12 })[0] ?? [];
    const fresh = more.filter((a) => !season.some((b) => b.idempotencyKey === a.idempotencyKey));
    await recordAndDeliver(fresh);
    const { overall: counted } = await rig.storedProfile(userId);

    // Act
    const found = await audit(userId);
    await audit(userId, true);

    // Assess: counters were right all along; the repair adds streaks and games
    const { overall: expected } = profileStatsOf([...season, ...fresh]);
    expect(counted).toMatchObject({ matchesWon: expected.matchesWon, activityCount: expected.activityCount });
    expect(found.drifted[0]?.driftedSlots).toContain('sequence:all');
    expect(await rig.storedProfile(userId)).toEqual(profileStatsOf([...season, ...fresh]));
    expect((await audit(userId)).drifted).toEqual([]);
  });

  it('repairs while the projector applies more of the season, losing neither', async () => {
    // Prepare: the first half of a season projected, its sequence items and streaks corrupted
    const userId = `${rig.nextPrefix()}u`;
    const season = fc.sample(seasonArbitrary(userId, 60, 50), { numRuns: 1, seed: 21 })[0] ?? [];
    const half = Math.floor(season.length / 2);
    await recordAndDeliver(season.slice(0, half));
    for (const item of await statisticsItems(userId))
      if (String(item.sk).startsWith('W#'))
        await rig.db.doc.send(
          new DeleteCommand({ TableName: rig.db.names.stats, Key: { userId, sk: item.sk } }),
        );

    // Act: the repair and the second half's deliveries, one at a time, at once
    const repairing = audit(userId, true).catch((error: unknown) => error);
    for (const activity of season.slice(half)) await recordAndDeliver([activity]);
    await repairing;
    await audit(userId, true);

    // Assess
    expect(await rig.storedProfile(userId)).toEqual(profileStatsOf(season));
    expect((await audit(userId)).drifted).toEqual([]);
  });
});
