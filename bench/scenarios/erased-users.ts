import { DynamoActivityWriter } from '../../lambda/adapters/activity-store.ts';
import { DynamoDeadLetterWriter } from '../../lambda/adapters/dead-letter-store.ts';
import { DynamoErasureLog } from '../../lambda/adapters/erasure-store.ts';
import { CachedErasedUsers } from '../../lambda/application/erased-users.ts';
import { forEachLimit } from '../../lambda/domain/concurrency.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from '../../lambda/domain/defaults.ts';
import { ERASURE_LOG_PARTITION, erasureLogSk } from '../../lambda/domain/erasure.ts';
import { createRecordHandler } from '../../lambda/handlers/record-activity.ts';
import { batchWrite, type CountedClient, countedClient, dropTables, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { perSecond } from '../lib/stats.ts';
import { type BridgeEvent, singleUserEvents } from '../lib/workload.ts';
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
  readonly db: CountedClient;
  readonly tables: string[];
  readonly record: (event: BridgeEvent) => Promise<unknown>;
  loadMs: number;
  loadRequests: number;
  ms: number;
}

async function setUp(endpoint: string, erasedUsers: number): Promise<Setup> {
  const db = countedClient(endpoint);
  const tables = await freshTables(db.client, `erased${erasedUsers}`);
  progress(`erased users: writing an erasure log of ${erasedUsers.toLocaleString('en-US')} users`);
  const at = Date.now() - 3_600_000;
  await batchWrite(
    db.doc,
    tables.stats,
    Array.from({ length: erasedUsers }, (_, i) => ({
      userId: ERASURE_LOG_PARTITION,
      sk: erasureLogSk(new Date(at + i), `gone${i}`, 'erase'),
    })),
    16,
  );
  const erased = new CachedErasedUsers(new DynamoErasureLog(db.doc, tables.stats), {
    cacheSeconds: DEFAULT_FLAG_CACHE_SECONDS,
  });
  const record = createRecordHandler({
    activities: new DynamoActivityWriter(db.doc, tables.activities),
    deadLetters: new DynamoDeadLetterWriter(db.doc, tables.deadLetters),
    flag: new AlwaysOnFlag(),
    erased,
    eventSource: 'tournaments',
  });
  db.counter.reset();
  const start = performance.now();
  const set = await erased.current();
  if (set.size !== erasedUsers) throw new Error(`loaded ${set.size} erased users, wrote ${erasedUsers}`);
  const loadMs = performance.now() - start;
  const loadRequests = db.counter.counts.total;
  db.counter.reset();
  return { erasedUsers, db, tables: Object.values(tables), record, loadMs, loadRequests, ms: 0 };
}

/**
 * Recording throughput and requests per event with 0, 1,000 and 100,000 erased users. The
 * configurations take turns slice by slice in rotating order (as the recording comparison does), so
 * the engine's drift lands on all alike. The log is loaded before timing starts, as a warm
 * container has it; its cold load is reported on its own.
 */
export async function runErasedUsers(options: {
  readonly endpoint: string;
  readonly erasedUsers: readonly number[];
  readonly events: number;
  readonly concurrency: number;
  readonly rounds: number;
}): Promise<ErasedUsersResult[]> {
  const setups: Setup[] = [];
  for (const n of options.erasedUsers) setups.push(await setUp(options.endpoint, n));
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
      const start = performance.now();
      await forEachLimit(mine.slice(from, to), options.concurrency, async (event) => {
        await setup.record(event);
      });
      setup.ms += performance.now() - start;
    }
  }
  const results = setups.map((s) => ({
    erasedUsers: s.erasedUsers,
    events: options.events,
    eventsPerSecond: perSecond(options.events, s.ms),
    requestsPerEvent: s.db.counter.counts.total / options.events,
    loadMs: s.loadMs,
    loadRequests: s.loadRequests,
  }));
  for (const r of results)
    progress(
      `  ${r.erasedUsers} erased: ${r.eventsPerSecond.toFixed(0)} events/s, ${r.requestsPerEvent.toFixed(3)} requests/event, log load ${r.loadMs.toFixed(0)} ms in ${r.loadRequests} requests`,
    );
  for (const s of setups) await dropTables(s.db.client, s.tables);
  return results;
}
