import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStreamsClient } from '../../infra/local/clients.ts';
import { readStreamRecords, startStreamConsumer } from '../../infra/local/stream-consumer.ts';
import { auditStatistics } from '../../lambda/adapters/audit-store.ts';
import { ProfileReader } from '../../lambda/adapters/profile-reader.ts';
import { recordingDependencies } from '../../lambda/adapters/recording.ts';
import { DynamoProjectionStore, STATS_SK } from '../../lambda/adapters/stats-store.ts';
import { activityFromStreamRecord } from '../../lambda/adapters/stream-records.ts';
import { statsActivityOfItem } from '../../lambda/adapters/user-items.ts';
import type { ProjectionStore } from '../../lambda/application/stats-ports.ts';
import { type ProjectionCommit, planProjection } from '../../lambda/domain/projection.ts';
import { effectOf, statsOf } from '../../lambda/domain/stats.ts';
import { createStatsHandler } from '../../lambda/handlers/project-stats.ts';
import { createRecordHandler } from '../../lambda/handlers/record-activity.ts';
import { createTestTables, itemsOfUser, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';
import { noStatistics } from '../support/statistics.ts';
import { type PlannedEvent, shuffled, tournamentArbitrary } from '../support/tournament.ts';

let db: TestTables;
let streams: DynamoDBStreamsClient;
let record: ReturnType<typeof createRecordHandler>;
let store: DynamoProjectionStore;
let project: ReturnType<typeof createStatsHandler>;
let reader: ProfileReader;

beforeAll(async () => {
  db = await createTestTables();
  streams = localStreamsClient(db.endpoint);
  record = createRecordHandler(
    recordingDependencies({
      client: db.doc,
      tables: db.names,
      flag: new FixedFlag('on'),
    }),
  );
  store = new DynamoProjectionStore(db.doc, db.names.stats);
  project = createStatsHandler({ store });
  reader = new ProfileReader(db.doc, { activityTable: db.names.activities, statsTable: db.names.stats });
});

afterAll(() => streams.destroy());

let runs = 0;
const nextPrefix = () => `r${++runs}x${Math.random().toString(36).slice(2, 6)}-`;

async function publish(events: readonly PlannedEvent[]): Promise<void> {
  for (const e of events) await record(bridgeEvent(e.detailType, e.detail));
}

/** Every user's stored statistics must equal the reference over their stored activities. */
async function expectStatsMatchOracle(users: Iterable<string>): Promise<void> {
  for (const userId of users) {
    const activities = (await itemsOfUser(db.doc, db.names.activities, userId)).map(statsActivityOfItem);
    const { winRate: _winRate, ...stored } = await reader.stats(userId);
    expect(stored, `statistics of ${userId}`).toEqual(statsOf(userId, activities));
  }
}

const usersOf = (events: readonly PlannedEvent[]) =>
  new Set(events.flatMap((e) => ((e.detail.participantUserIds ?? e.detail.userIds) as string[]).map(String)));

async function recordsWithPrefix(prefix: string): Promise<DynamoDBRecord[]> {
  return (await readStreamRecords(streams, db.names.activities)).filter((r) =>
    String(r.dynamodb?.NewImage?.userId?.S).startsWith(prefix),
  );
}

/** Delivers like Lambda: on a partial failure, again from the lowest failed sequence number. */
async function deliver(records: DynamoDBRecord[], handler = project): Promise<void> {
  let pending = records;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 10) throw new Error('batch kept failing');
    const { batchItemFailures } = await handler({ Records: pending });
    if (batchItemFailures.length === 0) return;
    const lowest = batchItemFailures.map((f) => BigInt(f.itemIdentifier)).sort((a, b) => (a < b ? -1 : 1))[0];
    pending = pending.filter((r) => BigInt(r.dynamodb?.SequenceNumber ?? 0) >= (lowest ?? 0n));
  }
}

/** A generated tournament (the same for a seed), published and recorded, with its stream records. */
async function recordedTournament(seed: number) {
  const prefix = nextPrefix();
  const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed })[0] ?? [];
  await publish(events);
  return { prefix, events, batch: await recordsWithPrefix(prefix) };
}

describe('statistics from the real stream', () => {
  it('equal the reference for every user once the stream consumer catches up', async () => {
    const prefix = nextPrefix();
    const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed: 42 })[0] ?? [];
    await publish(events);
    const consumer = await startStreamConsumer({
      streams,
      tableName: db.names.activities,
      handler: project,
      batchSize: 7,
    });
    try {
      await consumer.waitUntilIdle();
    } finally {
      await consumer.stop();
    }
    await expectStatsMatchOracle(usersOf(events));
  });

  it('apply the same batch delivered twice once', async () => {
    const { events, batch } = await recordedTournament(7);
    await deliver(batch);
    await deliver(batch);
    await expectStatsMatchOracle(usersOf(events));
  });

  it('apply a batch replayed from a middle sequence number once', async () => {
    const { events, batch } = await recordedTournament(11);
    await deliver(batch);
    await deliver(batch.slice(Math.floor(batch.length / 2)));
    await expectStatsMatchOracle(usersOf(events));
  });

  it('apply a batch once when several deliveries of it race each other', async () => {
    const { events, batch } = await recordedTournament(23);
    await Promise.all(Array.from({ length: 5 }, (_, i) => deliver(i % 2 === 0 ? batch : batch.slice(i))));
    await expectStatsMatchOracle(usersOf(events));
  });

  it('refuse a commit planned from state that changed since it was read', async () => {
    const prefix = nextPrefix();
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
    await publish([checkIn(`${prefix}r1`), checkIn(`${prefix}r2`)]);
    const [one, two] = (await recordsWithPrefix(prefix)).map((r) => effectOf(activityFromStreamRecord(r)));
    if (!one || !two) throw new Error('expected two stream records');
    // Both plans are made from the same (empty) state; the second must not apply on top of the first.
    const stale = await store.load(userId, [one.idempotencyKey, two.idempotencyKey], []);
    expect(await store.commit(planProjection(userId, stale, [one]) as ProjectionCommit)).toBe('committed');
    expect(await store.commit(planProjection(userId, stale, [one]) as ProjectionCommit)).toBe('conflict');
    expect(await store.commit(planProjection(userId, stale, [two]) as ProjectionCommit)).toBe('conflict');
    await deliver(await recordsWithPrefix(prefix));
    expect(await reader.stats(userId)).toMatchObject({ activityCount: 2 });
  });

  it('recover from a crash halfway through a batch when it is retried', async () => {
    const { events, batch } = await recordedTournament(99);
    let commits = 0;
    const crashing: ProjectionStore = {
      load: (...args) => store.load(...args),
      commit: async (c) => {
        if (++commits > 2) throw new Error('process crashed');
        return store.commit(c);
      },
    };
    const first = await createStatsHandler({ store: crashing, userConcurrency: 1 })({ Records: batch });
    expect(first.batchItemFailures.length).toBeGreaterThan(0);
    await deliver(batch);
    await expectStatsMatchOracle(usersOf(events));
  });

  it('follow latest-wins when a dispute overturns a match and the old result arrives again', async () => {
    const prefix = nextPrefix();
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
    await publish([original]);
    await deliver(await recordsWithPrefix(prefix));
    expect(await reader.stats(alice)).toMatchObject({ matchesWon: 1, matchesLost: 0 });

    await publish([overturned]);
    await deliver(await recordsWithPrefix(prefix));
    await publish([original]);
    await deliver(await recordsWithPrefix(prefix));
    const oldRecordsAgain = (await recordsWithPrefix(prefix)).slice(0, 2);
    await deliver(oldRecordsAgain);

    expect(await reader.stats(alice)).toMatchObject({
      matchesWon: 0,
      matchesLost: 1,
      matchesPlayed: 1,
      activityCount: 2,
    });
    expect(await reader.stats(bob)).toMatchObject({
      matchesWon: 1,
      matchesLost: 0,
      matchesPlayed: 1,
      winRate: 1,
    });
  });

  it('equal the reference for random tournaments with duplication, reordering and redelivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 4, maxLength: 4 }).map(() => nextPrefix()),
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 10 }),
        async (prefix, seed, sizes) => {
          const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed })[0] ?? [];
          const withCopies = shuffled(
            [...events, ...events.filter((_, i) => (sizes[i % sizes.length] ?? 0) % 3 === 0)],
            seed,
          );
          await publish(withCopies);
          const records = await recordsWithPrefix(prefix);
          // Batches of random sizes; after each, some of it is delivered again from a random point.
          for (let i = 0, c = 0; i < records.length; c += 1) {
            const size = sizes[c % sizes.length] ?? 1;
            const batch = records.slice(i, i + size);
            await deliver(batch);
            if (size % 2 === 0) await deliver(batch.slice(size % batch.length));
            i += size;
          }
          await expectStatsMatchOracle(usersOf(events));
        },
      ),
      { numRuns: 6, seed: 2026 },
    );
  });
});

describe('reading profiles', () => {
  it('gives zeros and no lastActivityAt for an unknown user', async () => {
    expect(await reader.stats('never-seen')).toEqual({ ...noStatistics('never-seen'), winRate: 0 });
  });

  it('pages through a feed newest first', async () => {
    const prefix = nextPrefix();
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
    await publish(shuffled(events, 5));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.feed(user, { limit: 3, cursor });
      seen.push(...page.items.map((i) => i.occurredAt));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(events.map((e) => new Date(String(e.detail.occurredAt)).toISOString()).reverse());
  });
});

describe('audit and repair', () => {
  it('finds a corrupted statistics item and repairs it', async () => {
    // Prepare: a recorded tournament, then one user's statistics overwritten
    const prefix = nextPrefix();
    const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed: 5 })[0] ?? [];
    await publish(events);
    await deliver(await recordsWithPrefix(prefix));
    const victim = [...usersOf(events)][0] as string;
    await db.doc.send(
      new UpdateCommand({
        TableName: db.names.stats,
        Key: { userId: victim, sk: STATS_SK },
        UpdateExpression: 'SET matchesWon = :n, activityCount = :n',
        ExpressionAttributeValues: { ':n': 99 },
      }),
    );
    const options = {
      client: db.doc,
      activityTable: db.names.activities,
      statsTable: db.names.stats,
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
    await expectStatsMatchOracle([victim]);
  });

  it('repairs a corrupted latest-wins slot so later finalizations count right', async () => {
    // Prepare: a recorded finalization whose latest-wins slot is then overwritten
    const prefix = nextPrefix();
    const [alice, bob] = [`${prefix}a`, `${prefix}b`];
    const detail = { tournamentId: `${prefix}t`, matchId: `${prefix}m`, participantUserIds: [alice, bob] };
    await publish([
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
    await deliver(await recordsWithPrefix(prefix));
    await db.doc.send(
      new UpdateCommand({
        TableName: db.names.stats,
        Key: { userId: alice, sk: `MATCH#${prefix}m` },
        UpdateExpression: 'SET matchesWon = :z, matchesLost = :one',
        ExpressionAttributeValues: { ':z': 0, ':one': 1 },
      }),
    );
    // Act: repair, then a later finalization of the same match with the other winner
    const report = await auditStatistics({
      client: db.doc,
      activityTable: db.names.activities,
      statsTable: db.names.stats,
      repair: true,
    });
    const slot = await db.doc.send(
      new GetCommand({ TableName: db.names.stats, Key: { userId: alice, sk: `MATCH#${prefix}m` } }),
    );
    await publish([
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
    await deliver(await recordsWithPrefix(prefix));

    // Assess
    expect(report.drifted.map((d) => d.userId)).toContain(alice);
    expect(slot.Item).toMatchObject({ matchesWon: 1, matchesLost: 0 });
    await expectStatsMatchOracle([alice, bob]);
  });

  it('reports activities the projector has not applied yet as pending, not drift', async () => {
    const prefix = nextPrefix();
    const user = `${prefix}u`;
    await publish([
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
    const report = await auditStatistics({
      client: db.doc,
      activityTable: db.names.activities,
      statsTable: db.names.stats,
      userId: user,
      repair: true,
    });
    expect(report).toMatchObject({ drifted: [], usersWithPending: 1, repaired: 0 });
    await deliver(await recordsWithPrefix(prefix));
    await expectStatsMatchOracle([user]);
  });
});
