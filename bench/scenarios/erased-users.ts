import { DynamoActivityWriter } from '../../lambda/recording/adapters/activity-store.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { DynamoDeadLetterWriter } from '../../lambda/shared/aws/dead-letters.ts';
import { DynamoErasureLog } from '../../lambda/shared/aws/erasure-log.ts';
import { forEachLimit } from '../../lambda/shared/concurrency.ts';
import type { BridgeEvent } from '../../lambda/shared/contract/events.ts';
import {
  CachedErasedUsers,
  DEFAULT_ERASURE_CACHE_SECONDS,
  ERASURE_LOG_PARTITION,
  erasureLogSk,
} from '../../lambda/shared/erased-users.ts';
import type { TableNames } from '../../lambda/shared/tables.ts';
import { batchWrite, type CountedClient, countedClient, dropTables, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { perSecond } from '../lib/stats.ts';
import { singleUserEvents } from '../lib/workload.ts';
import { AlwaysOnFlag, slices } from './recording.ts';

/** Recording with one size of erasure log. */
export interface ErasedUsersResult {
  readonly erasedUsers: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  /** DynamoDB requests per recorded event, the erasure log's refreshes included. */
  readonly requestsPerEvent: number;
  /** The first read of the whole log (a container's cold start): time and requests. */
  readonly loadMs: number;
  readonly loadRequests: number;
}

interface Setup {
  readonly erasedUsers: number;
  /** The tables holding this configuration's erasure log (only its statistics table is used). */
  readonly logTables: string[];
  readonly record: (event: BridgeEvent) => Promise<unknown>;
  loadMs: number;
  loadRequests: number;
  requests: number;
  ms: number;
}

/** What every configuration shares: one client and one set of tables recording writes to. */
interface Shared {
  readonly db: CountedClient;
  readonly writes: TableNames;
}

async function writeLog(shared: Shared, stats: string, erasedUsers: number): Promise<void> {
  progress(`erased users: writing an erasure log of ${erasedUsers.toLocaleString('en-US')} users`);
  const at = Date.now() - 3_600_000;
  await batchWrite(
    shared.db.doc,
    stats,
    Array.from({ length: erasedUsers }, (_, i) => ({
      userId: ERASURE_LOG_PARTITION,
      sk: erasureLogSk(new Date(at + i), `gone${i}`, 'erase'),
    })),
    16,
  );
}

async function setUp(shared: Shared, erasedUsers: number): Promise<Setup> {
  const { db, writes } = shared;
  const logTables = await freshTables(db.client, `erased${erasedUsers}`);
  await writeLog(shared, logTables.stats, erasedUsers);
  const erased = new CachedErasedUsers(new DynamoErasureLog(db.doc, logTables.stats), {
    cacheSeconds: DEFAULT_ERASURE_CACHE_SECONDS,
  });
  const record = createRecordHandler({
    activities: new DynamoActivityWriter(db.doc, writes.activities),
    deadLetters: new DynamoDeadLetterWriter(db.doc, writes.deadLetters),
    flag: new AlwaysOnFlag(),
    erased,
    eventSource: 'tournaments',
  });
  const before = db.counter.counts.total;
  const start = performance.now();
  const set = await erased.current();
  if (set.size !== erasedUsers) throw new Error(`loaded ${set.size} erased users, wrote ${erasedUsers}`);
  const loadMs = performance.now() - start;
  const loadRequests = db.counter.counts.total - before;
  return {
    erasedUsers,
    logTables: Object.values(logTables),
    record,
    loadMs,
    loadRequests,
    requests: 0,
    ms: 0,
  };
}

/**
 * Recording throughput and requests per event with 0, 1,000 and 100,000 erased users. The
 * configurations take turns slice by slice in rotating order (as the recording comparison does), so
 * the engine's drift lands on all alike. They share one client and write to the same tables: only
 * the erasure log differs (with a table set and client each, the set created first ran up to 15%
 * faster whatever its log held). The log is loaded before timing starts, as a warm container has
 * it; its cold load is reported on its own.
 */
export async function runErasedUsers(options: {
  readonly endpoint: string;
  readonly erasedUsers: readonly number[];
  readonly events: number;
  readonly concurrency: number;
  readonly rounds: number;
}): Promise<ErasedUsersResult[]> {
  const db = countedClient(options.endpoint);
  const shared: Shared = { db, writes: await freshTables(db.client, 'erased-writes') };
  const setups: Setup[] = [];
  for (const n of options.erasedUsers) setups.push(await setUp(shared, n));
  const events = setups.map((s) =>
    singleUserEvents({ count: options.events, runId: `erased${s.erasedUsers}` }),
  );
  progress(
    `erased users: ${options.events} events per configuration at concurrency ${options.concurrency}, ${options.rounds} rounds`,
  );
  for (const [round, [from, to]] of slices(options.events, options.rounds).entries()) {
    for (let k = 0; k < setups.length; k += 1) {
      const index = (k + round) % setups.length;
      const setup = setups[index] as Setup;
      const mine = events[index] as BridgeEvent[];
      const before = db.counter.counts.total;
      const start = performance.now();
      await forEachLimit(mine.slice(from, to), options.concurrency, async (event) => {
        await setup.record(event);
      });
      setup.ms += performance.now() - start;
      setup.requests += db.counter.counts.total - before;
    }
  }
  const results = setups.map((s) => ({
    erasedUsers: s.erasedUsers,
    events: options.events,
    eventsPerSecond: perSecond(options.events, s.ms),
    requestsPerEvent: s.requests / options.events,
    loadMs: s.loadMs,
    loadRequests: s.loadRequests,
  }));
  for (const r of results)
    progress(
      `  ${r.erasedUsers} erased: ${r.eventsPerSecond.toFixed(0)} events/s, ${r.requestsPerEvent.toFixed(3)} requests/event, log load ${r.loadMs.toFixed(0)} ms in ${r.loadRequests} requests`,
    );
  for (const s of setups) await dropTables(db.client, s.logTables);
  await dropTables(db.client, Object.values(shared.writes));
  return results;
}
