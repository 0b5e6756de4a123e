import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditStatistics } from '../../lambda/audit/adapters/audit-store.ts';
import { STATS_SK } from '../../lambda/statistics/domain/scope-items.ts';
import { ProjectionRig, usersOf } from '../support/projection.ts';
import { sharedFixture } from '../support/shared.ts';
import { noStatistics } from '../support/statistics.ts';
import { type PlannedEvent, shuffled, tournamentArbitrary } from '../support/tournament.ts';

const rig = sharedFixture(ProjectionRig.start, (started) => started.close());

describe('reading profiles', () => {
  it('gives zeros and no lastActivityAt for an unknown user', async () => {
    expect(await rig.reader.stats('never-seen')).toMatchObject({ ...noStatistics('never-seen'), winRate: 0 });
  });

  it('pages through a feed newest first', async () => {
    // Prepare: seven check-ins of one user, recorded in shuffled order
    const prefix = rig.nextPrefix();
    const user = `${prefix}u`;
    const events: PlannedEvent[] = Array.from({ length: 7 }, (_, i) => ({
      detailType: 'CheckInToggled',
      detail: {
        tournamentId: 't',
        occurredAt: `2026-05-0${i + 1}T09:00:00Z`,
        registrationId: `${prefix}r${i}`,
        checkedIn: true,
        userIds: [user],
      },
    }));
    await rig.publish(shuffled(events, 5));

    // Act: follow the cursor, three at a time
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await rig.reader.feed(user, { limit: 3, cursor });
      seen.push(...page.items.map((i) => i.occurredAt));
      cursor = page.nextCursor;
    } while (cursor);

    // Assess
    expect(seen).toEqual(events.map((e) => new Date(String(e.detail.occurredAt)).toISOString()).reverse());
  });
});

describe('audit and repair', () => {
  it('finds a corrupted statistics item and repairs it', async () => {
    // Prepare: a recorded tournament, then one user's statistics overwritten
    const prefix = rig.nextPrefix();
    const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed: 5 })[0] ?? [];
    await rig.publish(events);
    await rig.deliver(await rig.recordsWithPrefix(prefix));
    const victim = [...usersOf(events)][0] as string;
    await rig.db.doc.send(
      new UpdateCommand({
        TableName: rig.db.names.stats,
        Key: { userId: victim, sk: STATS_SK },
        UpdateExpression: 'SET matchesWon = :n, activityCount = :n',
        ExpressionAttributeValues: { ':n': 99 },
      }),
    );
    const options = {
      client: rig.db.doc,
      tables: { activities: rig.db.names.activities, stats: rig.db.names.stats },
      userId: victim,
    };

    // Act
    const found = await auditStatistics(options);
    const fixed = await auditStatistics({ ...options, repair: true });
    const after = await auditStatistics(options);

    // Assess
    expect(found.drifted.map((d) => d.userId)).toEqual([victim]);
    expect(found.drifted[0]?.driftedFields).toEqual(expect.arrayContaining(['matchesWon', 'activityCount']));
    expect(fixed.repaired).toBe(1);
    expect(after.drifted).toEqual([]);
    await rig.expectStatsMatchOracle([victim]);
  });

  it('repairs a corrupted latest-wins slot so later finalizations count right', async () => {
    // Prepare: a recorded finalization whose latest-wins slot is then overwritten
    const prefix = rig.nextPrefix();
    const [alice, bob] = [`${prefix}a`, `${prefix}b`];
    const detail = { tournamentId: `${prefix}t`, matchId: `${prefix}m`, participantUserIds: [alice, bob] };
    await rig.publish([
      {
        detailType: 'MatchFinalized',
        detail: {
          ...detail,
          occurredAt: '2026-05-02T10:00:00Z',
          resolution: 'completed',
          winnerUserIds: [alice],
        },
      },
    ]);
    await rig.deliver(await rig.recordsWithPrefix(prefix));
    await rig.db.doc.send(
      new UpdateCommand({
        TableName: rig.db.names.stats,
        Key: { userId: alice, sk: `MATCH#${prefix}m` },
        UpdateExpression: 'SET matchesWon = :z, matchesLost = :one',
        ExpressionAttributeValues: { ':z': 0, ':one': 1 },
      }),
    );
    // Act: repair, then a later finalization of the same match with the other winner
    const report = await auditStatistics({
      client: rig.db.doc,
      tables: { activities: rig.db.names.activities, stats: rig.db.names.stats },
      repair: true,
    });
    const slot = await rig.db.doc.send(
      new GetCommand({ TableName: rig.db.names.stats, Key: { userId: alice, sk: `MATCH#${prefix}m` } }),
    );
    await rig.publish([
      {
        detailType: 'MatchFinalized',
        detail: {
          ...detail,
          occurredAt: '2026-05-02T12:00:00Z',
          resolution: 'dispute_resolved',
          winnerUserIds: [bob],
        },
      },
    ]);
    await rig.deliver(await rig.recordsWithPrefix(prefix));

    // Assess
    expect(report.drifted.map((d) => d.userId)).toContain(alice);
    expect(slot.Item).toMatchObject({ matchesWon: 1, matchesLost: 0 });
    await rig.expectStatsMatchOracle([alice, bob]);
  });

  it('reports activities the projector has not applied yet as pending, not drift', async () => {
    // Prepare: a check-in recorded but not yet projected
    const prefix = rig.nextPrefix();
    const user = `${prefix}u`;
    await rig.publish([
      {
        detailType: 'CheckInToggled',
        detail: {
          tournamentId: 't',
          occurredAt: '2026-05-01T09:00:00Z',
          registrationId: `${prefix}r`,
          checkedIn: true,
          userIds: [user],
        },
      },
    ]);

    // Act
    const report = await auditStatistics({
      client: rig.db.doc,
      tables: { activities: rig.db.names.activities, stats: rig.db.names.stats },
      userId: user,
      repair: true,
    });
    // Assess: pending, nothing repaired, and the projection catches up on its own
    expect(report).toMatchObject({ drifted: [], usersWithPending: 1, repaired: 0 });
    await rig.deliver(await rig.recordsWithPrefix(prefix));
    await rig.expectStatsMatchOracle([user]);
  });
});
