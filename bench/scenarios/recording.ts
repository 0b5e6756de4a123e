import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { FlagReader } from '../../lambda/recording/application/ports.ts';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { forEachLimit } from '../../lambda/shared/concurrency.ts';
import type { Activity } from '../../lambda/shared/contract/activity.ts';
import { acceptEvent, type BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { type FlagSetting, parseFlag } from '../../lambda/shared/contract/flag.ts';
import type { TableNames } from '../../lambda/shared/tables.ts';
import {
  type CountedClient,
  countedClient,
  createIdempotencyTable,
  dropTables,
  freshTables,
} from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import type { RequestCounts } from '../lib/request-counter.ts';
import { perSecond } from '../lib/stats.ts';
import { redeliveries, singleUserEvents } from '../lib/workload.ts';

/** The flag fixed at on: the bench measures recording, not SSM. */
export class AlwaysOnFlag implements FlagReader {
  private readonly setting: FlagSetting = parseFlag('on');
  async current(): Promise<FlagSetting> {
    return this.setting;
  }
}

/** The three ways of recording an event that are compared. */
export type RecordingPath = 'raw' | 'ours' | 'powertools';

/** One path at one concurrency. */
export interface PathResult {
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** Requests on the happy path (every event new). */
  readonly requests: RequestCounts;
}

/** Results of the recording comparison. */
export interface RecordingResults {
  readonly events: number;
  readonly rounds: number;
  readonly byConcurrency: Record<number, Record<RecordingPath, PathResult>>;
  /** Redelivering already-recorded events (new event ids, same actions). */
  readonly duplicates: {
    readonly events: number;
    readonly ours: RequestCounts;
    readonly powertools: RequestCounts;
  };
}

/** Something that takes one event: a handler, or the raw put of its pre-built activity. */
type Runner = (event: BridgeEvent, index: number) => Promise<unknown>;

interface Path {
  readonly name: RecordingPath;
  readonly db: CountedClient;
  readonly run: Runner;
  /** Tables this path wrote to, dropped when the measurement is over. */
  readonly tables: readonly string[];
}

async function dropPaths(paths: readonly Path[]): Promise<void> {
  for (const path of paths) await dropTables(path.db.client, path.tables);
}

/** Conditional put of an activity exactly as the adapter issues it, without any handler around it. */
function rawPut(db: CountedClient, table: string, activity: Activity): Promise<unknown> {
  return db.doc
    .send(
      new PutCommand({
        TableName: table,
        Item: activity,
        ConditionExpression: 'attribute_not_exists(#userId)',
        ExpressionAttributeNames: { '#userId': 'userId' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** Lambda passes a context; Powertools reads the remaining time from it to expire in-progress records. */
export const lambdaContext = {
  functionName: 'bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/**
 * The usual alternative: the same recording made idempotent by Powertools Idempotency (a record in
 * its own table, INPROGRESS then COMPLETE) around an unconditional put of the same activity.
 */
export function powertoolsHandler(db: CountedClient, activityTable: string, idempotencyTable: string) {
  const recordOnce = async (event: BridgeEvent, _context: Context) => {
    const accepted = acceptEvent(event);
    const recordedAt = new Date();
    for (const userId of accepted.userIds)
      await db.doc.send(
        new PutCommand({ TableName: activityTable, Item: activityFor(accepted, userId, recordedAt) }),
      );
    return { idempotencyKey: accepted.idempotencyKey, recorded: accepted.userIds.length };
  };
  return makeIdempotent(recordOnce, {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: idempotencyTable,
      awsSdkV3Client: db.client,
    }),
    // The detail identifies the action; the event id changes on every publisher retry.
    config: new IdempotencyConfig({ eventKeyJmesPath: 'detail' }),
  });
}

/** Our record handler, its counted client and its tables. */
export interface OurRecorder {
  readonly db: CountedClient;
  readonly tables: TableNames;
  readonly handler: ReturnType<typeof createRecordHandler>;
}

/** Our record handler on fresh tables of its own (`{label}-ours`), the flag always on. */
export async function ourRecorder(endpoint: string, label: string): Promise<OurRecorder> {
  const db = countedClient(endpoint);
  const tables = await freshTables(db.client, `${label}-ours`);
  const handler = createRecordHandler(
    recordingDependencies({ client: db.doc, tables, flag: new AlwaysOnFlag() }),
  );
  return { db, tables, handler };
}

/** The Powertools Idempotency design on fresh tables of its own (`{label}-pt`), its record table included. */
export async function powertoolsRecorder(endpoint: string, label: string) {
  const db = countedClient(endpoint);
  const tables = await freshTables(db.client, `${label}-pt`);
  const idempotencyTable = await createIdempotencyTable(db.client, label);
  const handler = powertoolsHandler(db, tables.activities, idempotencyTable);
  return { db, tables, idempotencyTable, handler };
}

async function buildPaths(endpoint: string, events: readonly BridgeEvent[], label: string): Promise<Path[]> {
  const raw = countedClient(endpoint);
  const rawTables = await freshTables(raw.client, `${label}-raw`);
  const recordedAt = new Date();
  // Built before timing starts: the floor is the storage call alone.
  const activities = events.map((e) => {
    const accepted = acceptEvent(e);
    return activityFor(accepted, accepted.userIds[0] as string, recordedAt);
  });
  const ours = await ourRecorder(endpoint, label);
  const pt = await powertoolsRecorder(endpoint, label);

  // Table creation is setup, not recording.
  for (const db of [raw, ours.db, pt.db]) db.counter.reset();
  return [
    {
      name: 'raw',
      db: raw,
      run: (_, i) => rawPut(raw, rawTables.activities, activities[i] as Activity),
      tables: Object.values(rawTables),
    },
    { name: 'ours', db: ours.db, run: (event) => ours.handler(event), tables: Object.values(ours.tables) },
    {
      name: 'powertools',
      db: pt.db,
      run: (event) => pt.handler(event, lambdaContext),
      tables: [...Object.values(pt.tables), pt.idempotencyTable],
    },
  ];
}

/** Index ranges `[from, to)` splitting `count` into `rounds` nearly equal slices. */
export function slices(count: number, rounds: number): [number, number][] {
  const size = Math.ceil(count / rounds);
  const out: [number, number][] = [];
  for (let from = 0; from < count; from += size) out.push([from, Math.min(count, from + size)]);
  return out;
}

/**
 * Runs the events through every path at one concurrency. The paths take turns slice by slice, in a
 * rotating order, so a drift of the engine (JIT, garbage collection, growing tables) lands on all of
 * them alike.
 */
async function measure(
  paths: readonly Path[],
  events: readonly BridgeEvent[],
  concurrency: number,
  rounds: number,
) {
  const elapsed = new Map<RecordingPath, number>(paths.map((p) => [p.name, 0]));
  for (const [round, [from, to]] of slices(events.length, rounds).entries()) {
    const indexes = Array.from({ length: to - from }, (_, k) => from + k);
    // Each round starts with another path: the engine slows a little as its tables fill, and a
    // fixed order would always hand the later paths the fuller engine.
    const order = paths.map((_, k) => paths[(k + round) % paths.length] as Path);
    for (const path of order) {
      const start = performance.now();
      await forEachLimit(indexes, concurrency, async (i) => {
        await path.run(events[i] as BridgeEvent, i);
      });
      elapsed.set(path.name, (elapsed.get(path.name) ?? 0) + performance.now() - start);
    }
  }
  return elapsed;
}

/** Options of {@link runRecording}. */
export interface RecordingOptions {
  readonly endpoint: string;
  readonly events: number;
  readonly concurrencies: readonly number[];
  readonly rounds: number;
  readonly warmupEvents: number;
  readonly duplicateEvents: number;
}

/** Measures 1 and 2: recording overhead against the raw floor and against Powertools Idempotency. */
export async function runRecording(options: RecordingOptions): Promise<RecordingResults> {
  const { endpoint, events: count, concurrencies, rounds } = options;

  progress(`recording: warming up with ${options.warmupEvents} events per path`);
  const warmEvents = singleUserEvents({ count: options.warmupEvents, runId: 'warm' });
  const warmPaths = await buildPaths(endpoint, warmEvents, 'warm');
  await measure(warmPaths, warmEvents, 16, 1);
  await dropPaths(warmPaths);

  const byConcurrency: RecordingResults['byConcurrency'] = {};
  let duplicates: RecordingResults['duplicates'] | undefined;
  for (const concurrency of concurrencies) {
    progress(
      `recording: ${count} events at concurrency ${concurrency} (raw, ours, powertools; ${rounds} rounds)`,
    );
    const events = singleUserEvents({ count, runId: `c${concurrency}` });
    const paths = await buildPaths(endpoint, events, `c${concurrency}`);
    const elapsed = await measure(paths, events, concurrency, rounds);
    const results = {} as Record<RecordingPath, PathResult>;
    for (const path of paths) {
      const ms = elapsed.get(path.name) ?? Number.NaN;
      results[path.name] = {
        events: count,
        ms,
        eventsPerSecond: perSecond(count, ms),
        requests: structuredClone(path.db.counter.counts),
      };
    }
    byConcurrency[concurrency] = results;
    progress(
      `  raw ${results.raw.eventsPerSecond.toFixed(0)}/s, ours ${results.ours.eventsPerSecond.toFixed(0)}/s, powertools ${results.powertools.eventsPerSecond.toFixed(0)}/s`,
    );

    if (!duplicates) {
      // Same actions again, as a publisher retry or an archive replay delivers them.
      const n = Math.min(options.duplicateEvents, count);
      const again = redeliveries(events.slice(0, n));
      const [, ours, pt] = paths as [Path, Path, Path];
      for (const path of paths) path.db.counter.reset();
      progress(`recording: ${n} redelivered events through ours and powertools (request counts)`);
      await forEachLimit(
        Array.from({ length: n }, (_, i) => i),
        concurrency,
        async (i) => {
          await ours.run(again[i] as BridgeEvent, i);
          await pt.run(again[i] as BridgeEvent, i);
        },
      );
      duplicates = {
        events: n,
        ours: structuredClone(ours.db.counter.counts),
        powertools: structuredClone(pt.db.counter.counts),
      };
    }
    await dropPaths(paths);
  }
  return {
    events: count,
    rounds,
    byConcurrency,
    duplicates: duplicates ?? {
      events: 0,
      ours: { total: 0, conditionalFailures: 0, byOperation: {} },
      powertools: { total: 0, conditionalFailures: 0, byOperation: {} },
    },
  };
}
