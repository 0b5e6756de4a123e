import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { meterCapacity } from '../../bench/lib/capacity.ts';
import { itemSizeBytes } from '../../bench/lib/item-size.ts';
import { detailFor } from '../../bench/lib/workload.ts';
import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import type { RecordSummary } from '../../lambda/recording/adapters/telemetry.ts';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';

import { legacyPayloadHash } from '../../lambda/shared/contract/canonical.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { MAX_DETAIL_BYTES } from '../../lambda/shared/contract/limits.ts';
import { FEED_ATTRIBUTES } from '../../lambda/shared/tables.ts';
import { activityFromStreamRecord } from '../../lambda/statistics/adapters/stream-records.ts';
import { statsActivityOf } from '../../lambda/statistics/domain/stats-activity.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { createTestTables, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';

let db: TestTables;
let record: (event: unknown) => Promise<RecordSummary>;
let meter: ReturnType<typeof meterCapacity>;

beforeAll(async () => {
  db = await createTestTables();
  // A client of its own with a capacity meter, so the recorder's write units can be read back.
  const client = localDynamoClient(db.endpoint);
  meter = meterCapacity(client);
  const doc = documentClient(client);
  record = createRecordHandler(
    recordingDependencies({
      client: doc,
      tables: db.names,
      flag: new FixedFlag('on'),
    }),
  );
}, 180_000);

/** An id of exactly `length` characters. */
const sizedId = (prefix: string, n: number, length: number) =>
  `${prefix}${String(n).padStart(length - prefix.length, '0')}`;

/** A 64-character id, the longest the contract allows. */
const longId = (prefix: string, n: number) => sizedId(prefix, n, 64);

let events = 0;
function completion(participants: number, extra: Record<string, unknown> = {}) {
  events += 1;
  const users = Array.from({ length: participants }, (_, i) => longId(`c${events}-`, i));
  return bridgeEvent('TournamentCompleted', {
    tournamentId: longId(`t${events}-`, 0),
    occurredAt: '2026-05-03T18:00:00Z',
    participantUserIds: users,
    winnerUserIds: [users[0]],
    ...extra,
  });
}

const definitionEntity = (typeIndex: number) => EVENT_TYPES[typeIndex]?.entityIdField;

/** The shapes of {@link largestEvent}: how long its ids are, and whether it names a game. */
interface Largest {
  /** @default 64, the longest the contract allows */
  readonly idLength?: number;
  /** Length of its gameId; none when omitted. */
  readonly gameIdLength?: number;
}

let largest = 0;
/** The largest activity an event type makes for two users: long ids, the largest revision. */
function largestEvent(typeIndex: number, { idLength = 64, gameIdLength }: Largest = {}) {
  largest += 1;
  const id = (prefix: string) => sizedId(`${prefix}${largest}-`, typeIndex, idLength);
  const { detailType, detail } = detailFor(
    typeIndex,
    id('e'),
    [id('a'), id('b')],
    '2026-05-01T10:00:00.123Z',
  );
  for (const [field, value] of Object.entries(detail))
    if (
      field.endsWith('Id') &&
      typeof value !== 'object' &&
      !field.endsWith('UserId') &&
      field !== definitionEntity(typeIndex)
    )
      detail[field] = id(field);
  detail.revision = Number.MAX_SAFE_INTEGER;
  if (gameIdLength !== undefined) detail.gameId = sizedId('game', typeIndex, gameIdLength);
  return bridgeEvent(detailType, detail);
}

async function writeUnitsPerUser(participants: number): Promise<number> {
  meter.reset();
  const summary = await record(completion(participants));
  expect(summary).toMatchObject({ recorded: participants, conflicts: 0 });
  return (meter.totals.tableWrite + meter.totals.indexWrite) / participants;
}

describe('activity items', () => {
  it('cost the same write units per user at 2 and at 1,000 participants, at most 2 with the index', async () => {
    const two = await writeUnitsPerUser(2);
    const thousand = await writeUnitsPerUser(1000);
    expect(two).toBeLessThanOrEqual(2);
    expect(thousand).toBe(two);
  }, 180_000);

  it.each(EVENT_TYPES.map((t, i) => [t.detailType, i] as const))(
    'fit in one write unit and one index unit for a %s with 64-character ids and the largest revision',
    async (_type, typeIndex) => {
      meter.reset();
      expect(await record(largestEvent(typeIndex))).toMatchObject({ recorded: 2 });
      expect(meter.totals).toMatchObject({ tableWrite: 2, indexWrite: 2 });
    },
  );

  const resultIndex = EVENT_TYPES.findIndex((t) => t.detailType === 'MatchResultSubmitted');

  it.each(EVENT_TYPES.map((t, i) => [t.detailType, i] as const).filter(([, i]) => i !== resultIndex))(
    'fit in one write unit and one index unit for a %s with 64-character ids, the largest revision and a 64-character gameId',
    async (_type, typeIndex) => {
      meter.reset();
      expect(await record(largestEvent(typeIndex, { gameIdLength: 64 }))).toMatchObject({ recorded: 2 });
      expect(meter.totals).toMatchObject({ tableWrite: 2, indexWrite: 2 });
    },
  );

  it('fit in one write unit and one index unit for a MatchResultSubmitted with a 64-character gameId and the largest revision while its ids are at most 56 characters', async () => {
    meter.reset();
    const event = largestEvent(resultIndex, { idLength: 56, gameIdLength: 64 });
    expect(await record(event)).toMatchObject({ recorded: 2 });
    expect(meter.totals).toMatchObject({ tableWrite: 2, indexWrite: 2 });
  });

  it('cost 2 write units and 2 index units for the one activity over a kilobyte: a MatchResultSubmitted with five 64-character ids, a 64-character gameId and the largest revision', async () => {
    // Its key and fields hold the match and submitter ids twice each (docs/contract.md says so)
    meter.reset();
    expect(await record(largestEvent(resultIndex, { gameIdLength: 64 }))).toMatchObject({ recorded: 2 });
    expect(meter.totals).toMatchObject({ tableWrite: 4, indexWrite: 4 });
  });

  it('keep the role and small fields, and none of the user lists or extra fields', () => {
    const accepted = acceptEvent(completion(1000, { bracket: 'x'.repeat(50_000) }));
    const activity = activityFor(accepted, accepted.userIds[0] as string, new Date());
    expect(activity).toMatchObject({ role: 'winner', fields: { schemaVersion: 1 } });
    expect(JSON.stringify(activity)).not.toMatch(/participantUserIds|winnerUserIds|bracket/);
    expect(itemSizeBytes({ ...activity })).toBeLessThan(1024);
    expect(activityFor(accepted, accepted.userIds[1] as string, new Date()).role).toBe('participant');
  });

  it('are never half-applied: an event at the size limit is recorded for short and 64-character ids alike', async () => {
    const users = [
      '7',
      ...Array.from({ length: 998 }, (_, i) => longId('h', i)),
      longId('z', 0).replace(/0/g, '9'),
    ];
    const detail: Record<string, unknown> = {
      tournamentId: 'half',
      occurredAt: '2026-05-03T18:00:00Z',
      participantUserIds: users,
      winnerUserIds: users,
      notes: '',
    };
    detail.notes = 'n'.repeat(MAX_DETAIL_BYTES - Buffer.byteLength(JSON.stringify(detail)));
    expect(Buffer.byteLength(JSON.stringify(detail))).toBe(MAX_DETAIL_BYTES);
    const summary = await record(bridgeEvent('TournamentCompleted', detail));
    expect(summary).toMatchObject({ status: 'processed', recorded: 1000, conflicts: 0 });
  }, 180_000);

  it('are read by the feed index, which projects only what the feed reads', async () => {
    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: db.names.activities }));
    const index = Table?.LocalSecondaryIndexes?.[0];
    expect(index?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...FEED_ATTRIBUTES] });
    const event = bridgeEvent('MatchFinalized', exampleDetail('MatchFinalized', { matchId: 'feed-1' }));
    await record(event);
    const reader = new ProfileReader(db.doc, {
      activities: db.names.activities,
      stats: db.names.stats,
    });
    const [entry] = (await reader.feed('43', { limit: 1 })).items;
    expect(entry).toMatchObject({
      idempotencyKey: 'match_finalized:feed-1:completed',
      role: 'loser',
      detail: { matchId: 'feed-1', resolution: 'completed', isDraw: false, schemaVersion: 1 },
    });
    expect(entry).not.toHaveProperty('payloadHash');
  });
});

describe('items of the previous shape (whole detail in `payload`)', () => {
  const detail = exampleDetail('MatchFinalized', {
    matchId: 'old-1',
    occurredAt: '2026-05-01T10:00:00.123456+00:00',
    note: { kept: 'in the archive' },
  });
  const previous = acceptEvent(bridgeEvent('MatchFinalized', detail));

  /** The item the previous version wrote for a user. */
  function previousItem(userId: string): Record<string, unknown> {
    const { role: _r, fields: _f, ...rest } = activityFor(previous, userId, new Date('2026-05-01T10:00:01Z'));
    return {
      ...rest,
      payload: JSON.stringify(previous.detail),
      payloadHash: legacyPayloadHash(previous.detail),
    };
  }

  beforeAll(async () => {
    for (const userId of ['42', '43'])
      await db.doc.send(new PutCommand({ TableName: db.names.activities, Item: previousItem(userId) }));
  });

  it('show in the feed with the role and fields derived as recording derives them now', async () => {
    const reader = new ProfileReader(db.doc, {
      activities: db.names.activities,
      stats: db.names.stats,
    });
    const { items } = await reader.feed('42', { limit: 50 });
    const entry = items.find((i) => i.idempotencyKey === 'match_finalized:old-1:completed');
    const current = activityFor(acceptEvent(bridgeEvent('MatchFinalized', detail)), '42', new Date());
    expect(entry).toMatchObject({ role: 'winner', detail: { ...current.fields } });
    expect(entry?.detail).toEqual(current.fields);
  });

  it('give the statistics the same activity as a current item', () => {
    const streamed: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: { NewImage: marshall(previousItem('43')) as never, SequenceNumber: '1' },
    };
    const current = activityFor(previous, '43', new Date());
    expect(activityFromStreamRecord(streamed)).toEqual(statsActivityOf(current));
  });

  it('count a redelivery spelled another way as a duplicate, and another action as a conflict', async () => {
    const respelled = {
      ...detail,
      occurredAt: '2026-05-01T12:00:00.123+02:00',
      participantUserIds: [43, 42],
    };
    expect(await record(bridgeEvent('MatchFinalized', respelled))).toMatchObject({
      duplicates: 2,
      conflicts: 0,
    });
    const changed = { ...detail, winnerUserIds: [43] };
    expect(await record(bridgeEvent('MatchFinalized', changed))).toMatchObject({
      duplicates: 0,
      conflicts: 2,
    });
  });
});
