import { isDeepStrictEqual } from 'node:util';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { batchWriteAll } from '../../lambda/shared/aws/batch.ts';
import { userPartition } from '../../lambda/shared/aws/paging.ts';
import type { Activity } from '../../lambda/shared/contract/activity.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import type { TableNames } from '../../lambda/shared/tables.ts';
import { DynamoProjectionStore } from '../../lambda/statistics/adapters/stats-store.ts';
import { profileStatsOf } from '../../lambda/statistics/domain/profile-stats.ts';
import { gameSk, STATS_SK } from '../../lambda/statistics/domain/scope-items.ts';
import { statsActivityOfItem } from '../../lambda/statistics/domain/stats-activity.ts';
import { storedProfileOf } from '../../lambda/statistics/domain/stats-items.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { bridgeEvent } from '../../local/bridge-event.ts';
import { batchWrite, type CountedClient, countedClient, dropTables, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { median } from '../lib/stats.ts';
import { BENCH_GAMES, detailFor } from '../lib/workload.ts';

/** Cost of applying one more activity at one history length. */
export interface ApplyCost {
  readonly ms: number;
  readonly requests: number;
}

/** Ours against recomputing from history, at one history length. */
export interface HistoryResult {
  readonly history: number;
  readonly samples: number;
  /** One more finalization after every other match: the usual case. */
  readonly ours: ApplyCost;
  /** One more lost match landing in the middle of the history (a late result): it splits a run. */
  readonly late: ApplyCost;
  readonly recompute: ApplyCost;
  /** The projector's stored statistics (overall and per game) equal the recomputation after the last sample. */
  readonly consistent: boolean;
}

const FINALIZED = EVENT_TYPES.findIndex((t) => t.detailType === 'MatchFinalized');
const BATCH = 100; // the event source mapping's default batch size
/** Activities of one tournament: each is played in one game, and they take turns. */
const TOURNAMENT_SIZE = 50;
/** The user's outcomes in turn: runs of wins of one to three, losses and draws between them. */
const OUTCOMES = ['winner', 'winner', 'loser', 'winner', 'draw', 'winner', 'winner', 'winner', 'loser'];
const START = Date.parse('2025-01-01T00:00:00Z');

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

/**
 * Activity `i` of a user's history, at minute `i` unless `at` says otherwise: all declared types in
 * turn, each a distinct action in the game of its tournament; a finalization is won, lost or drawn
 * by the {@link OUTCOMES} pattern (or `outcome`).
 */
function historyActivity(
  userId: string,
  i: number,
  options: { typeIndex?: number; at?: number; outcome?: string } = {},
): Activity {
  const occurredAt = new Date(options.at ?? START + i * 60_000).toISOString();
  const { detailType, detail } = detailFor(options.typeIndex ?? i, `${userId}-e${i}`, [userId], occurredAt);
  const gameId = BENCH_GAMES[Math.floor(i / TOURNAMENT_SIZE) % BENCH_GAMES.length] as string;
  if (detailType === 'MatchFinalized') {
    const outcome = options.outcome ?? (OUTCOMES[i % OUTCOMES.length] as string);
    detail.winnerUserIds = outcome === 'winner' ? [userId] : [];
    detail.isDraw = outcome === 'draw';
  }
  const accepted = acceptEvent(bridgeEvent(detailType, { ...detail, gameId }, { id: `${userId}-${i}` }));
  return activityFor(accepted, userId, new Date());
}

/**
 * The usual alternative: read the user's whole history (strongly consistent, page by page), apply
 * the contract's definitions (overall and per game, streaks and recent form included), and write
 * every scope's statistics in one batch.
 */
async function recompute(db: CountedClient, activityTable: string, statsTable: string, userId: string) {
  const history = (await userPartition(db.doc, activityTable, userId)).map(statsActivityOfItem);
  const profile = profileStatsOf(history);
  const items = [
    { userId, sk: STATS_SK, ...profile.overall },
    ...[...profile.games].map(([gameId, stats]) => ({ userId, sk: gameSk(gameId), gameId, ...stats })),
  ];
  await batchWriteAll(
    db.doc,
    statsTable,
    items.map((Item) => ({ PutRequest: { Item } })),
    { action: 'writing recomputed statistics' },
  );
  return profile;
}

/** Times one more activity through the projector: milliseconds and DynamoDB requests. */
async function timedApply(rig: StatisticsRig, activity: Activity): Promise<ApplyCost> {
  await batchWrite(rig.ours.doc, rig.tables.activities, [activity]);
  rig.ours.counter.reset();
  const start = performance.now();
  await rig.apply([streamRecord(activity)]);
  return { ms: performance.now() - start, requests: rig.ours.counter.counts.total };
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

/** The median of each measure over the samples. */
const medianCost = (costs: readonly ApplyCost[]): ApplyCost => ({
  ms: median(costs.map((c) => c.ms)),
  requests: median(costs.map((c) => c.requests)),
});

/**
 * Seeds `userId` with a history of `history` activities (projected by the projector itself, so its
 * state matches), then times `samples` more finalizations through both designs, and as many late
 * ones through the projector.
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

  progress(`statistics: ${samples} more finalizations and ${samples} late ones at history ${history}`);
  const inOrder: ApplyCost[] = [];
  const late: ApplyCost[] = [];
  const recomputed: ApplyCost[] = [];
  for (let s = 0; s < samples; s++) {
    inOrder.push(await timedApply(rig, historyActivity(userId, history + s, { typeIndex: FINALIZED })));
    other.counter.reset();
    const start = performance.now();
    await recompute(other, tables.activities, otherTables.stats, userId);
    recomputed.push({ ms: performance.now() - start, requests: other.counter.counts.total });
    // A loss played between two activities of the middle of the history, reported late.
    const at = START + Math.floor(history / 2) * 60_000 + (s + 1) * 1000;
    const lateMatch = { typeIndex: FINALIZED, at, outcome: 'loser' };
    late.push(await timedApply(rig, historyActivity(userId, history + samples + s, lateMatch)));
  }
  const expected = profileStatsOf(
    (await userPartition(ours.doc, tables.activities, userId)).map(statsActivityOfItem),
  );
  const stored = storedProfileOf(await userPartition(ours.doc, tables.stats, userId));
  return {
    history,
    samples,
    ours: medianCost(inOrder),
    late: medianCost(late),
    recompute: medianCost(recomputed),
    consistent: isDeepStrictEqual(stored, expected),
  };
}

/**
 * Measures 3: the cost of applying one more match finalization for a user who already has N
 * activities in two games, through the projector (ours) and by recomputing from history (overall
 * and per game, streaks and recent form included); and of a late one that lands mid-history.
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
      `  ours ${r.ours.ms.toFixed(1)} ms / ${r.ours.requests} requests, late ${r.late.ms.toFixed(1)} ms / ${r.late.requests} requests, recompute ${r.recompute.ms.toFixed(1)} ms / ${r.recompute.requests} requests, consistent: ${r.consistent}`,
    );
  }
  await dropTables(rig.ours.client, [...Object.values(rig.tables), ...Object.values(rig.otherTables)]);
  return results;
}
