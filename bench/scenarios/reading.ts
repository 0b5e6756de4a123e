import { startLocalProfileApi } from '../../infra/local/profile-api.ts';
import type { Activity } from '../../lambda/domain/activity.ts';
import { ERASURE_LOG_PARTITION } from '../../lambda/domain/erasure.ts';
import { MAX_BATCH_USERS } from '../../lambda/domain/profile-api.ts';
import { statsItem } from '../../lambda/domain/stats-items.ts';
import { batchWrite, countedClient, dropTables, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { percentile } from '../lib/stats.ts';

/** Latency and DynamoDB requests of one kind of read through the local API. */
export interface ReadCost {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** DynamoDB requests the read handler sent for the reads themselves, per HTTP read. */
  readonly requestsPerRead: number;
  /**
   * Queries of the erasure log during the reads (the erased-set refresh, at most one per cache
   * period per container, whatever the number of reads): a cost in time, not per read.
   */
  readonly logQueries: number;
  /** How long the timed reads took. */
  readonly durationMs: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

/** What {@link runReading} measures. */
export interface ReadingResult {
  readonly users: number;
  readonly single: ReadCost;
  readonly notModified: ReadCost;
  readonly batch: ReadCost;
  readonly feed: ReadCost;
}

const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=bench/20260501/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00',
};

function feedActivity(userId: string, i: number): Activity {
  const occurredAt = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
  const key = `checkin:r${i}:checked_in`;
  return {
    userId,
    idempotencyKey: key,
    activityType: 'tournament.checkin.checked_in',
    detailType: 'CheckInToggled',
    tournamentId: 't1',
    occurredAt,
    feedKey: `${occurredAt}#${key}`,
    role: 'participant',
    fields: { registrationId: `r${i}`, checkedIn: true },
    payloadHash: 'v2:bench',
    recordedAt: occurredAt,
    eventId: `e${i}`,
  };
}

/**
 * Reads through the local read API (HTTP, the read handler, DynamoDB Local): one user's statistics,
 * the same with a matching `If-None-Match`, 100 users at once, and a feed page of 20. Requests are
 * sequential, so the latencies are the API's own, not queueing; DynamoDB requests are counted by an
 * SDK middleware on the handler's client.
 */
export async function runReading(options: {
  endpoint: string;
  users: number;
  samples: number;
}): Promise<ReadingResult> {
  const { client, doc, counter } = countedClient(options.endpoint);
  // The erased-set refreshes are told apart by the partition they query.
  let logQueries = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const body = (args as { request?: { body?: unknown } }).request?.body;
      if (typeof body === 'string' && body.includes(JSON.stringify(ERASURE_LOG_PARTITION))) logQueries += 1;
      return next(args);
    },
    { step: 'deserialize', name: 'benchErasureLogCounter' },
  );
  const tables = await freshTables(client, 'reading');
  const users = Array.from({ length: options.users }, (_, i) => `reader-${i}`);
  const now = new Date();
  await batchWrite(
    doc,
    tables.stats,
    users.map((userId, i) =>
      statsItem(
        userId,
        {
          counters: {
            matchesWon: i % 7,
            matchesLost: i % 5,
            matchesDrawn: i % 2,
            tournamentsPlayed: i % 3,
            tournamentsWon: 0,
          },
          activityCount: 20 + i,
          lastActivityAt: now.toISOString(),
          version: 3,
        },
        now,
      ),
    ),
  );
  await batchWrite(
    doc,
    tables.activities,
    Array.from({ length: 100 }, (_, i) => feedActivity('reader-0', i)),
  );
  const api = await startLocalProfileApi({
    doc,
    tables: { activityTable: tables.activities, statsTable: tables.stats },
  });
  try {
    const measure = async (
      what: string,
      url: (i: number) => string,
      headers: Record<string, string> = SIGNED,
    ) => {
      progress(`reading: ${options.samples} ${what}`);
      for (let i = 0; i < Math.min(10, options.samples); i++)
        await (await fetch(url(i), { headers })).arrayBuffer();
      counter.reset();
      logQueries = 0;
      const began = performance.now();
      const latencies: number[] = [];
      for (let i = 0; i < options.samples; i++) {
        const start = performance.now();
        const response = await fetch(url(i), { headers });
        await response.arrayBuffer();
        latencies.push(performance.now() - start);
        if (response.status !== 200 && response.status !== 304)
          throw new Error(`${what}: the API answered ${response.status}`);
      }
      return {
        samples: options.samples,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        requestsPerRead: (counter.counts.total - logQueries) / options.samples,
        logQueries,
        durationMs: performance.now() - began,
        byOperation: { ...counter.counts.byOperation },
      };
    };
    const pick = (i: number) => users[i % users.length] as string;
    const single = await measure('single statistics reads', (i) => `${api.url}/users/${pick(i)}/stats`);
    const etag =
      (await fetch(`${api.url}/users/reader-0/stats`, { headers: SIGNED })).headers.get('etag') ?? '';
    const notModified = await measure('conditional reads (304)', () => `${api.url}/users/reader-0/stats`, {
      ...SIGNED,
      'if-none-match': etag,
    });
    const batch = await measure(`batch reads of ${MAX_BATCH_USERS} users`, (i) => {
      const ids = Array.from({ length: MAX_BATCH_USERS }, (_, k) => pick(i + k));
      return `${api.url}/stats?userIds=${ids.join(',')}`;
    });
    const feed = await measure('feed pages of 20', () => `${api.url}/users/reader-0/activities?limit=20`);
    return { users: users.length, single, notModified, batch, feed };
  } finally {
    await api.close();
    await dropTables(client, [tables.activities, tables.stats, tables.deadLetters]);
    client.destroy();
  }
}
