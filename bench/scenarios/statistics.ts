import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { userPartition } from '../../lambda/shared/aws/paging.ts';
import type { Activity } from '../../lambda/shared/contract/activity.ts';

import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import type { TableNames } from '../../lambda/shared/tables.ts';
import { DynamoProjectionStore } from '../../lambda/statistics/adapters/stats-store.ts';
import { type ProfileStats, statsOf } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOfItem } from '../../lambda/statistics/domain/stats-activity.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { bridgeEvent } from '../../local/bridge-event.ts';
import { batchWrite, type CountedClient, countedClient, dropTables, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { median } from '../lib/stats.ts';
import { detailFor } from '../lib/workload.ts';

/** Cost of applying one more activity at one history length. */
export interface ApplyCost {
  readonly ms: number;
  readonly requests: number;
}

/** Ours against recomputing from history, at one history length. */
export interface HistoryResult {
  readonly history: number;
  readonly samples: number;
  readonly ours: ApplyCost;
  readonly recompute: ApplyCost;
  /** The projector's stored statistics equal the recomputation after the last sample. */
  readonly consistent: boolean;
}

const FINALIZED = EVENT_TYPES.findIndex((t) => t.detailType === 'MatchFinalized');
const BATCH = 100; // the event source mapping's default batch size

let sequence = 0;

/** The record Lambda hands the projector for the insert of `activity` (NEW_IMAGE stream). */
export function streamRecord(activity: Activity): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `bench-${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/bench/stream/local',
    dynamodb: {
      Keys: marshall({ userId: activity.userId, idempotencyKey: activity.idempotencyKey }) as never,
      NewImage: marshall(activity, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 512,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** Activity `i` of a user's history: all declared types in turn, each a distinct action. */
function historyActivity(userId: string, i: number, typeIndex = i): Activity {
  const occurredAt = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString();
  const { detailType, detail } = detailFor(typeIndex, `${userId}-e${i}`, [userId], occurredAt);
  const accepted = acceptEvent(bridgeEvent(detailType, detail, { id: `${userId}-${i}` }));
  return activityFor(accepted, userId, new Date());
}

/**
 * The usual alternative: read the user's whole history (strongly consistent, page by page), apply
 * the contract's definition, write the result.
 */
async function recompute(db: CountedClient, activityTable: string, statsTable: string, userId: string) {
  const history = (await userPartition(db.doc, activityTable, userId)).map(statsActivityOfItem);
  const stats = statsOf(userId, history);
  await db.doc.send(new PutCommand({ TableName: statsTable, Item: { ...stats, sk: 'STATS' } }));
  return stats;
}

function sameStats(stored: Record<string, unknown> | undefined, expected: ProfileStats): boolean {
  if (!stored) return false;
  return (Object.keys(expected) as (keyof ProfileStats)[]).every(
    (name) => (stored[name] ?? null) === expected[name],
  );
}

/** Options of {@link runStatistics}. */
export interface StatisticsOptions {
  readonly endpoint: string;
  readonly histories: readonly number[];
  /** Activities applied (and timed) per history length. */
  readonly samples: number;
  /** A short history measured first and dropped: the first samples pay for JIT compilation. */
  readonly warmup?: boolean;
}

/** Both designs' clients and tables, and the projector fed the way the stream would. */
interface StatisticsRig {
  readonly ours: CountedClient;
  readonly other: CountedClient;
  readonly tables: TableNames;
  readonly otherTables: TableNames;
  readonly apply: (records: DynamoDBRecord[]) => Promise<void>;
}

async function statisticsRig(endpoint: string): Promise<StatisticsRig> {
  const ours = countedClient(endpoint);
  const other = countedClient(endpoint);
  const tables = await freshTables(ours.client, 'stats');
  const otherTables = await freshTables(other.client, 'recompute');
  const project = createStatsHandler({ store: new DynamoProjectionStore(ours.doc, tables.stats) });
  const apply = async (records: DynamoDBRecord[]) => {
    const response = await project({ Records: records } as DynamoDBStreamEvent);
    if (response.batchItemFailures.length > 0)
      throw new Error(`the projector failed ${response.batchItemFailures.length} records while seeding`);
  };
  return { ours, other, tables, otherTables, apply };
}

/**
 * Seeds `userId` with a history of `history` activities (projected by the projector itself, so its
 * state matches), then times `samples` more finalizations through both designs.
 */
async function measureHistory(
  rig: StatisticsRig,
  userId: string,
  history: number,
  samples: number,
): Promise<HistoryResult> {
  const { ours, other, tables, otherTables, apply } = rig;
  const seeded = Array.from({ length: history }, (_, i) => historyActivity(userId, i));
  await batchWrite(ours.doc, tables.activities, seeded);
  for (let i = 0; i < seeded.length; i += BATCH) await apply(seeded.slice(i, i + BATCH).map(streamRecord));

  progress(`statistics: ${samples} more finalizations at history ${history}`);
  const oursMs: number[] = [];
  const oursRequests: number[] = [];
  const recomputeMs: number[] = [];
  const recomputeRequests: number[] = [];
  let last: ProfileStats | undefined;
  for (let s = 0; s < samples; s++) {
    const activity = historyActivity(userId, history + s, FINALIZED);
    await batchWrite(ours.doc, tables.activities, [activity]);

    ours.counter.reset();
    let start = performance.now();
    await apply([streamRecord(activity)]);
    oursMs.push(performance.now() - start);
    oursRequests.push(ours.counter.counts.total);

    other.counter.reset();
    start = performance.now();
    last = await recompute(other, tables.activities, otherTables.stats, userId);
    recomputeMs.push(performance.now() - start);
    recomputeRequests.push(other.counter.counts.total);
  }
  const { Item } = await ours.doc.send(
    new GetCommand({ TableName: tables.stats, Key: { userId, sk: 'STATS' }, ConsistentRead: true }),
  );
  return {
    history,
    samples,
    ours: { ms: median(oursMs), requests: median(oursRequests) },
    recompute: { ms: median(recomputeMs), requests: median(recomputeRequests) },
    consistent: last !== undefined && sameStats(Item, last),
  };
}

/**
 * Measures 3: the cost of applying one more match finalization for a user who already has N
 * activities, through the projector (ours) and by recomputing from history.
 */
export async function runStatistics(options: StatisticsOptions): Promise<HistoryResult[]> {
  const rig = await statisticsRig(options.endpoint);
  const results: HistoryResult[] = [];
  const histories = options.warmup === false ? options.histories : [20, ...options.histories];
  for (const [index, history] of histories.entries()) {
    const warm = options.warmup !== false && index === 0;
    progress(
      `statistics: seeding a history of ${history} activities${warm ? ' (warm-up, not reported)' : ''}`,
    );
    const r = await measureHistory(rig, `${warm ? 'warm' : 'h'}${history}`, history, options.samples);
    if (warm) continue;
    results.push(r);
    progress(
      `  ours ${r.ours.ms.toFixed(1)} ms / ${r.ours.requests} requests, recompute ${r.recompute.ms.toFixed(1)} ms / ${r.recompute.requests} requests, consistent: ${r.consistent}`,
    );
  }
  await dropTables(rig.ours.client, [...Object.values(rig.tables), ...Object.values(rig.otherTables)]);
  return results;
}
