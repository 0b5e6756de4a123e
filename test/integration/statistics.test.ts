import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityFromStreamRecord } from '../../lambda/statistics/adapters/stream-records.ts';
import type { ProjectionStore } from '../../lambda/statistics/application/ports.ts';
import { OVERALL_SCOPE } from '../../lambda/statistics/domain/placement.ts';
import { type ProjectionCommit, planProjection } from '../../lambda/statistics/domain/projection.ts';
import { type Effect, effectOf } from '../../lambda/statistics/domain/stats.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { startStreamConsumer } from '../../local/stream-consumer.ts';
import { ProjectionRig, usersOf } from '../support/projection.ts';
import { sharedFixture } from '../support/shared.ts';
import { type PlannedEvent, shuffled, tournamentArbitrary } from '../support/tournament.ts';

const rig = sharedFixture(ProjectionRig.start, (started) => started.close());

describe('statistics from the real stream', () => {
  it('equal the reference for every user once the stream consumer catches up', async () => {
    // Prepare: a generated tournament, recorded
    const prefix = rig.nextPrefix();
    const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed: 42 })[0] ?? [];
    await rig.publish(events);

    // Act: the stream consumer delivers in batches of 7 until it has nothing left
    const consumer = await startStreamConsumer({
      streams: rig.streams,
      tableName: rig.db.names.activities,
      handler: rig.project,
      batchSize: 7,
    });
    try {
      await consumer.waitUntilIdle();
    } finally {
      await consumer.stop();
    }

    // Assess
    await rig.expectStatsMatchOracle(usersOf(events));
  });

  it('apply the same batch delivered twice once', async () => {
    const { events, batch } = await rig.recordedTournament(7);
    await rig.deliver(batch);
    await rig.deliver(batch);
    await rig.expectStatsMatchOracle(usersOf(events));
  });

  it('apply a batch replayed from a middle sequence number once', async () => {
    const { events, batch } = await rig.recordedTournament(11);
    await rig.deliver(batch);
    await rig.deliver(batch.slice(Math.floor(batch.length / 2)));
    await rig.expectStatsMatchOracle(usersOf(events));
  });

  it('apply a batch once when several deliveries of it race each other', async () => {
    const { events, batch } = await rig.recordedTournament(23);
    await Promise.all(Array.from({ length: 5 }, (_, i) => rig.deliver(i % 2 === 0 ? batch : batch.slice(i))));
    await rig.expectStatsMatchOracle(usersOf(events));
  });

  it('refuse a commit planned from state that changed since it was read', async () => {
    // Prepare: two check-ins of one user, recorded, and a plan of each from the same (empty) state
    const prefix = rig.nextPrefix();
    const userId = `${prefix}a`;
    const checkIn = (registrationId: string): PlannedEvent => ({
      detailType: 'CheckInToggled',
      detail: {
        tournamentId: 't',
        occurredAt: '2026-05-02T10:00:00Z',
        registrationId,
        checkedIn: true,
        userIds: [userId],
      },
    });
    await rig.publish([checkIn(`${prefix}r1`), checkIn(`${prefix}r2`)]);
    const [one, two] = (await rig.recordsWithPrefix(prefix)).map((r) =>
      effectOf(activityFromStreamRecord(r)),
    );
    if (!one || !two) throw new Error('expected two stream records');
    const keys = [one.idempotencyKey, two.idempotencyKey];
    const stale = await rig.store.load(userId, { keys, slots: [], scopes: [OVERALL_SCOPE] });
    const planFromStale = async (effect: Effect) =>
      (await planProjection(userId, stale, [effect], rig.store.sequences(userId))) as ProjectionCommit;

    // Act and assess: the first commit applies; a plan from the same state must not apply on top of it
    expect(await rig.store.commit(await planFromStale(one))).toBe('committed');
    expect(await rig.store.commit(await planFromStale(one))).toBe('conflict');
    expect(await rig.store.commit(await planFromStale(two))).toBe('conflict');

    // Act: the stream delivers both records
    await rig.deliver(await rig.recordsWithPrefix(prefix));

    // Assess
    expect(await rig.reader.stats(userId)).toMatchObject({ activityCount: 2 });
  });

  it('recover from a crash halfway through a batch when it is retried', async () => {
    const { events, batch } = await rig.recordedTournament(99);
    let commits = 0;
    const crashing: ProjectionStore = {
      load: (...args) => rig.store.load(...args),
      sequences: (userId) => rig.store.sequences(userId),
      commit: async (c) => {
        if (++commits > 2) throw new Error('process crashed');
        return rig.store.commit(c);
      },
    };
    const first = await createStatsHandler({ store: crashing, userConcurrency: 1 })({ Records: batch });
    expect(first.batchItemFailures.length).toBeGreaterThan(0);
    await rig.deliver(batch);
    await rig.expectStatsMatchOracle(usersOf(events));
  });

  it('follow latest-wins when a dispute overturns a match and the old result arrives again', async () => {
    // Prepare: a match won by alice, later overturned in bob's favour
    const prefix = rig.nextPrefix();
    const [alice, bob] = [`${prefix}alice`, `${prefix}bob`];
    const match = (occurredAt: string, resolution: string, winner: string): PlannedEvent => ({
      detailType: 'MatchFinalized',
      detail: {
        tournamentId: `${prefix}t`,
        occurredAt,
        matchId: `${prefix}m`,
        resolution,
        participantUserIds: [alice, bob],
        winnerUserIds: [winner],
      },
    });
    const original = match('2026-05-02T10:00:00Z', 'completed', alice);
    const overturned = match('2026-05-02T15:00:00Z', 'dispute_resolved', bob);

    // Act: the original result is projected
    await rig.publish([original]);
    await rig.deliver(await rig.recordsWithPrefix(prefix));

    // Assess
    expect(await rig.reader.stats(alice)).toMatchObject({ matchesWon: 1, matchesLost: 0 });

    // Act: the overturn, then the original published again and its old records delivered again
    await rig.publish([overturned]);
    await rig.deliver(await rig.recordsWithPrefix(prefix));
    await rig.publish([original]);
    await rig.deliver(await rig.recordsWithPrefix(prefix));
    const oldRecordsAgain = (await rig.recordsWithPrefix(prefix)).slice(0, 2);
    await rig.deliver(oldRecordsAgain);

    // Assess: the overturn stands
    expect(await rig.reader.stats(alice)).toMatchObject({
      matchesWon: 0,
      matchesLost: 1,
      matchesPlayed: 1,
      activityCount: 2,
    });
    expect(await rig.reader.stats(bob)).toMatchObject({
      matchesWon: 1,
      matchesLost: 0,
      matchesPlayed: 1,
      winRate: 1,
    });
  });

  it('equal the reference for random tournaments with duplication, reordering and redelivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 4, maxLength: 4 }).map(() => rig.nextPrefix()),
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 10 }),
        async (prefix, seed, sizes) => {
          // Prepare: a tournament with some events published twice, in shuffled order
          const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed })[0] ?? [];
          const withCopies = shuffled(
            [...events, ...events.filter((_, i) => (sizes[i % sizes.length] ?? 0) % 3 === 0)],
            seed,
          );
          await rig.publish(withCopies);
          const records = await rig.recordsWithPrefix(prefix);

          // Act: batches of random sizes; after each, some of it is delivered again from a random point

          for (let i = 0, c = 0; i < records.length; c += 1) {
            const size = sizes[c % sizes.length] ?? 1;
            const batch = records.slice(i, i + size);
            await rig.deliver(batch);
            if (size % 2 === 0) await rig.deliver(batch.slice(size % batch.length));
            i += size;
          }

          // Assess
          await rig.expectStatsMatchOracle(usersOf(events));
        },
      ),
      { numRuns: 6, seed: 2026 },
    );
  });
});
