import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { forEachLimit } from '../../lambda/shared/concurrency.ts';
import type { Activity } from '../../lambda/shared/contract/activity.ts';
import { legacyPayloadHash } from '../../lambda/shared/contract/canonical.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { type AcceptedEvent, acceptEvent, type BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { ACTIVITY_TABLE } from '../../lambda/shared/tables.ts';
import { DynamoProjectionStore } from '../../lambda/statistics/adapters/stats-store.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { bridgeEvent } from '../../local/bridge-event.ts';
import { createTableInput } from '../../local/tables.ts';
import { type CapacityMeter, meterCapacity } from '../lib/capacity.ts';
import { benchClient, countedClient, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { detailFor } from '../lib/workload.ts';
import { AlwaysOnFlag } from './recording.ts';
import { streamRecord } from './statistics.ts';

/** Write units of one event at one number of participants, per event and per affected user. */
export interface ParticipantsResult {
  readonly participants: number;
  /** A new activity per user: table and feed index. */
  readonly recordTable: number;
  readonly recordIndex: number;
  /** The same event again: one failed conditional put per user. */
  readonly duplicate: number;
  /**
   * The statistics transactions that apply the activities (marker, slot, the overall and the game's
   * summary items, the match's sequence items), as DynamoDB bills them: 2 units per started KB of
   * every item; DynamoDB Local reports twice the largest item's units per transaction instead.
   */
  readonly statsWrite: number;
  /** What DynamoDB Local reported for the same transactions. */
  readonly statsWriteReported: number;
  /** The projector's consistent `BatchGetItem` of the user's state, as documented. */
  readonly statsRead: number;
  /** The previous item shape (whole detail on every item, feed index projecting ALL), for comparison. */
  readonly previousShape: number;
}

/** What the projector spends on one activity of one kind, for a user with a history in the game. */
export interface StatisticsCase {
  readonly label: string;
  /** Write units of its transaction as DynamoDB bills them (2 per started KB of every item). */
  readonly writeUnits: number;
  /** What DynamoDB Local reported for the same transaction. */
  readonly writeUnitsReported: number;
  /** Items written (puts and deletes). */
  readonly items: number;
  /** Read units: the consistent `BatchGetItem` as documented, the sequence queries as reported. */
  readonly readUnits: number;
  readonly requests: number;
}

/** Write units measured from `ReturnConsumedCapacity: INDEXES` on DynamoDB Local. */
export interface WriteUnitResults {
  readonly idLength: number;
  readonly byParticipants: readonly ParticipantsResult[];
  /** Statistics per activity, by event type and case, overall and per game. */
  readonly statistics: readonly StatisticsCase[];
  /** A 2-participant MatchFinalized, per user (table + index). */
  readonly matchPerUser: number;
  readonly matchDuplicatePerUser: number;
}

/** A 64-character id (the longest the contract allows): the worst case for item size. */
export const longId = (prefix: string, n: number) =>
  `${prefix}${String(n).padStart(64 - prefix.length, '0')}`;

let events = 0;
function completion(participants: number): BridgeEvent {
  events += 1;
  const users = Array.from({ length: participants }, (_, i) => longId(`u${events}-`, i));
  return bridgeEvent(
    'TournamentCompleted',
    {
      tournamentId: longId(`t${events}-`, 0),
      occurredAt: '2026-05-03T18:00:00.000Z',
      gameId: longId('g', 0),
      participantUserIds: users,
      winnerUserIds: [users[0]],
    },
    { id: `wu-${events}` },
  );
}

function match(): BridgeEvent {
  events += 1;
  const users = [longId(`m${events}-`, 1), longId(`m${events}-`, 2)];
  return bridgeEvent(
    'MatchFinalized',
    {
      tournamentId: longId(`t${events}-`, 0),
      occurredAt: '2026-05-02T10:45:00.000Z',
      matchId: longId(`match${events}-`, 0),
      gameId: longId('g', 0),
      resolution: 'completed',
      participantUserIds: users,
      winnerUserIds: [users[0]],
    },
    { id: `wu-${events}` },
  );
}

/** The item the previous version wrote: every activity carried the whole detail. */
function previousItem(event: AcceptedEvent, activity: Activity): Record<string, unknown> {
  const { role: _role, fields: _fields, ...rest } = activity;
  return { ...rest, payload: JSON.stringify(event.detail), payloadHash: legacyPayloadHash(event.detail) };
}

async function previousShapeTable(client: DynamoDBClient, name: string): Promise<string> {
  const input = createTableInput(ACTIVITY_TABLE, name);
  await client.send(
    new CreateTableCommand({
      ...input,
      StreamSpecification: undefined,
      LocalSecondaryIndexes: input.LocalSecondaryIndexes?.map((i) => ({
        ...i,
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { TableName: name });
  return name;
}

const snapshot = (meter: CapacityMeter) => ({ ...meter.totals });

/**
 * Records one event through the recording handler, again as a duplicate, then applies its
 * activities through the statistics handler, metering each step; then writes the previous item
 * shape of the same activities into a table of the previous design.
 */
async function measureEvent(endpoint: string, event: BridgeEvent, label: string) {
  const client = benchClient(endpoint);
  const meter = meterCapacity(client);
  const doc = documentClient(client);
  const tables = await freshTables(client, `wu-${label}`);
  const record = createRecordHandler(
    recordingDependencies({
      client: doc,
      tables: tables,
      flag: new AlwaysOnFlag(),
    }),
  );
  const accepted = acceptEvent(event);
  const users = accepted.userIds.length;

  meter.reset();
  await record(event);
  const recorded = snapshot(meter);
  meter.reset();
  await record({ ...event, id: `${event.id}-again` });
  const duplicate = snapshot(meter);

  const recordedAt = new Date();
  const activities = accepted.userIds.map((u) => activityFor(accepted, u, recordedAt));
  const project = createStatsHandler({ store: new DynamoProjectionStore(doc, tables.stats) });
  meter.reset();
  for (let i = 0; i < activities.length; i += 100)
    await project({ Records: activities.slice(i, i + 100).map(streamRecord) });
  const stats = snapshot(meter);

  const previous = await previousShapeTable(client, `${tables.activities}-previous`);
  meter.reset();
  await forEachLimit(activities, 16, async (activity) => {
    await doc.send(new PutCommand({ TableName: previous, Item: previousItem(accepted, activity) }));
  });
  const before = snapshot(meter);
  client.destroy();
  return {
    users,
    recordTable: recorded.tableWrite / users,
    recordIndex: recorded.indexWrite / users,
    duplicate: (duplicate.failedConditionWrite + duplicate.tableWrite + duplicate.indexWrite) / users,
    statsWrite: stats.transactionWrite / users,
    statsWriteReported: stats.tableWrite / users,
    statsRead: stats.batchRead / users,
    previousShape: (before.tableWrite + before.indexWrite) / users,
  };
}

/** Write units per affected user at each number of participants, 64-character ids throughout. */
export async function runWriteUnits(
  endpoint: string,
  participants: readonly number[],
): Promise<WriteUnitResults> {
  const byParticipants: ParticipantsResult[] = [];
  for (const n of participants) {
    progress(`write units: TournamentCompleted with ${n} participants`);
    const m = await measureEvent(endpoint, completion(n), `n${n}`);
    byParticipants.push({ participants: n, ...m });
  }
  progress('write units: 2-participant MatchFinalized');
  const m = await measureEvent(endpoint, match(), 'match');
  progress('write units: statistics of one more activity, by event type and case');
  const statistics = await measureStatisticsCases(endpoint);
  return {
    idLength: 64,
    byParticipants,
    statistics,
    matchPerUser: m.recordTable + m.recordIndex,
    matchDuplicatePerUser: m.duplicate,
  };
}

/** One more activity of a user with 64-character ids, in order after the user's history unless `at` says. */
function caseActivity(
  userId: string,
  n: number,
  options: { typeIndex: number; gameId?: string; at?: number; matchId?: string; outcome?: string },
): Activity {
  const occurredAt = new Date(options.at ?? Date.parse('2026-05-01T00:00:00Z') + n * 60_000).toISOString();
  const { detailType, detail } = detailFor(options.typeIndex, longId(`e${n}-`, 0), [userId], occurredAt);
  const gameId = options.gameId ?? longId('g', 0);
  if (detailType === 'MatchFinalized') {
    if (options.matchId) Object.assign(detail, { matchId: options.matchId, resolution: 'dispute_resolved' });
    const outcome = options.outcome ?? (n % 3 === 2 ? 'loser' : 'winner');
    Object.assign(detail, {
      winnerUserIds: outcome === 'winner' ? [userId] : [],
      isDraw: outcome === 'draw',
    });
  }
  const accepted = acceptEvent(bridgeEvent(detailType, { ...detail, gameId }, { id: `wu-case-${n}` }));
  return activityFor(accepted, userId, new Date());
}

const FINALIZED_TYPE = EVENT_TYPES.findIndex((t) => t.detailType === 'MatchFinalized');

/**
 * The statistics cost of one more activity for a user who has 40 activities in one game (matches
 * won and lost, so streaks, recent form and sequences are in place): each event type in order, then
 * the cases that touch the history: a late loss mid-history, an overturn, a new game, a redelivery.
 */
async function measureStatisticsCases(endpoint: string): Promise<StatisticsCase[]> {
  const db = countedClient(endpoint);
  const meter = meterCapacity(db.client);
  const tables = await freshTables(db.client, 'wu-cases');
  const project = createStatsHandler({ store: new DynamoProjectionStore(db.doc, tables.stats) });
  const userId = longId('case-u', 0);
  const history = Array.from({ length: 40 }, (_, n) => caseActivity(userId, n, { typeIndex: n }));
  await project({ Records: history.map(streamRecord) });
  const lastMatch = [...history].reverse().find((a) => a.detailType === 'MatchFinalized');
  const cases: [string, Activity][] = EVENT_TYPES.map((t, i) => [
    `${t.detailType}, after every other activity`,
    caseActivity(userId, 100 + i, { typeIndex: i, outcome: 'winner' }),
  ]);
  cases.push(
    [
      'MatchFinalized, a late loss mid-history',
      caseActivity(userId, 200, {
        typeIndex: FINALIZED_TYPE,
        at: Date.parse('2026-05-01T00:08:30Z'),
        outcome: 'loser',
      }),
    ],
    [
      'MatchFinalized, overturning a won match played before the last',
      caseActivity(userId, 201, {
        typeIndex: FINALIZED_TYPE,
        matchId: String(lastMatch?.fields.matchId),
        outcome: 'loser',
      }),
    ],
    [
      'CheckInToggled, first activity in another game',
      caseActivity(userId, 202, { typeIndex: 2, gameId: longId('h', 0) }),
    ],
  );
  const results: StatisticsCase[] = [];
  const measure = async (label: string, activity: Activity) => {
    meter.reset();
    db.counter.reset();
    await project({ Records: [streamRecord(activity)] });
    const { transactionWrite, tableWrite, batchRead, queryRead, transactionItems } = meter.totals;
    results.push({
      label,
      writeUnits: transactionWrite,
      writeUnitsReported: tableWrite,
      items: transactionItems,
      readUnits: batchRead + queryRead,
      requests: db.counter.counts.total,
    });
  };
  for (const [label, activity] of cases) await measure(label, activity);
  await measure('any activity delivered again', cases[0]?.[1] as Activity);
  db.client.destroy();
  return results;
}
