import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import type { RecordSummary } from '../../lambda/recording/adapters/telemetry.ts';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { legacyPayloadHash } from '../../lambda/shared/contract/canonical.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { activityFromStreamRecord } from '../../lambda/statistics/adapters/stream-records.ts';
import { statsActivityOf } from '../../lambda/statistics/domain/stats-activity.ts';
import { createTestTables, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail, fresh } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';

let db: TestTables;
let record: (event: unknown) => Promise<RecordSummary>;
let reader: ProfileReader;

beforeAll(async () => {
  db = await createTestTables();
  record = createRecordHandler(
    recordingDependencies({ client: db.doc, tables: db.names, flag: new FixedFlag('on') }),
  );
  reader = new ProfileReader(db.doc, { activities: db.names.activities, stats: db.names.stats });
}, 180_000);

/** A finalization of a match no other test uses, won by its first participant. */
function finalization(overrides: Record<string, unknown> = {}) {
  const [winner, loser] = [fresh('w'), fresh('l')];
  return exampleDetail('MatchFinalized', {
    matchId: fresh('m'),
    participantUserIds: [winner, loser],
    winnerUserIds: [winner],
    ...overrides,
  });
}

const storedItem = async (userId: string, idempotencyKey: string) =>
  (
    await db.doc.send(
      new GetCommand({
        TableName: db.names.activities,
        Key: { userId, idempotencyKey },
        ConsistentRead: true,
      }),
    )
  ).Item as Record<string, unknown>;

const streamed = (item: Record<string, unknown>): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { NewImage: marshall(item) as never, SequenceNumber: '1' },
});

describe('an activity of an event that names a game', () => {
  it('keeps the game, normalised, among its small fields, where the feed and the statistics read it', async () => {
    // Prepare
    const detail = finalization({ gameId: 7 });
    const [winner] = detail.participantUserIds as string[];
    // Act
    expect(await record(bridgeEvent('MatchFinalized', detail))).toMatchObject({ recorded: 2 });
    // Assess
    const item = await storedItem(winner as string, `match_finalized:${detail.matchId}:completed`);
    expect(item.fields).toMatchObject({ gameId: '7' });
    expect(item).not.toHaveProperty('gameId');
    const [entry] = (await reader.feed(winner as string, { limit: 1 })).items;
    expect(entry?.detail).toMatchObject({ gameId: '7', matchId: detail.matchId });
    expect(activityFromStreamRecord(streamed(item))).toMatchObject({ gameId: '7', role: 'winner' });
  });

  it('is a duplicate when resent with the game spelled "7" instead of 7, and a conflict with another game', async () => {
    // Prepare
    const detail = finalization({ gameId: 7 });
    await record(bridgeEvent('MatchFinalized', detail));
    // Act
    const respelled = await record(bridgeEvent('MatchFinalized', { ...detail, gameId: '7' }));
    const otherGame = await record(bridgeEvent('MatchFinalized', { ...detail, gameId: 8 }));
    const noGame = await record(bridgeEvent('MatchFinalized', { ...detail, gameId: undefined }));
    // Assess
    expect(respelled).toMatchObject({ recorded: 0, duplicates: 2, conflicts: 0 });
    expect(otherGame).toMatchObject({ recorded: 0, duplicates: 0, conflicts: 2 });
    expect(noGame).toMatchObject({ recorded: 0, duplicates: 0, conflicts: 2 });
  });
});

describe('an activity of an event that names no game', () => {
  it('is stored with exactly the attributes and small fields it had before games existed', async () => {
    // Prepare
    const detail = finalization();
    const [winner] = detail.participantUserIds as string[];
    // Act
    await record(bridgeEvent('MatchFinalized', detail));
    // Assess
    const item = await storedItem(winner as string, `match_finalized:${detail.matchId}:completed`);
    expect(Object.keys(item).sort()).toEqual([
      'activityType',
      'detailType',
      'eventId',
      'feedKey',
      'fields',
      'idempotencyKey',
      'occurredAt',
      'payloadHash',
      'recordedAt',
      'role',
      'tournamentId',
      'userId',
    ]);
    expect(item.fields).toEqual({
      schemaVersion: 1,
      matchId: detail.matchId,
      resolution: 'completed',
      isDraw: false,
    });
    const [entry] = (await reader.feed(winner as string, { limit: 1 })).items;
    expect(entry?.detail).not.toHaveProperty('gameId');
    expect(activityFromStreamRecord(streamed(item)).gameId).toBeUndefined();
  });
});

describe('an item of the previous shape (whole detail in `payload`)', () => {
  /** The item the version before slim activities wrote: `gameId` was an extra field then. */
  function previousItem(detail: Record<string, unknown>, userId: string): Record<string, unknown> {
    const accepted = acceptEvent(bridgeEvent('MatchFinalized', detail));
    const { role: _r, fields: _f, ...rest } = activityFor(accepted, userId, new Date('2026-05-01T10:00:01Z'));
    return { ...rest, payload: JSON.stringify(detail), payloadHash: legacyPayloadHash(accepted.detail) };
  }

  it('gives the statistics its game when the payload named a valid one, and none otherwise', () => {
    // Prepare
    const named = previousItem(finalization({ gameId: 12 }), 'u1');
    const payload = { ...JSON.parse(String(named.payload)), gameId: 'not:an-id' };
    const malformed = { ...named, payload: JSON.stringify(payload) };
    const none = previousItem(finalization(), 'u1');
    // Act and assess
    expect(activityFromStreamRecord(streamed(named)).gameId).toBe('12');
    expect(activityFromStreamRecord(streamed(malformed)).gameId).toBeUndefined();
    expect(activityFromStreamRecord(streamed(none)).gameId).toBeUndefined();
  });

  it('gives the statistics the same activity as a current item of the same event', () => {
    // Prepare
    const detail = finalization({ gameId: 'valorant' });
    const [winner] = detail.participantUserIds as string[];
    const current = activityFor(
      acceptEvent(bridgeEvent('MatchFinalized', detail)),
      winner as string,
      new Date(),
    );
    // Act
    const previous = activityFromStreamRecord(streamed(previousItem(detail, winner as string)));
    // Assess
    expect(previous).toEqual(statsActivityOf(current));
    expect(previous.gameId).toBe('valorant');
  });
});
