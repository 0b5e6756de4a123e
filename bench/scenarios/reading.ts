import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import type { Activity } from '../../lambda/shared/contract/activity.ts';
import { MAX_BATCH_USERS } from '../../lambda/shared/contract/limits.ts';
import { ERASURE_LOG_PARTITION } from '../../lambda/shared/erased-users.ts';
import type { TableNames } from '../../lambda/shared/tables.ts';
import { statsItem } from '../../lambda/statistics/domain/stats-items.ts';
import { startLocalProfileApi } from '../../local/read-api.ts';
import { batchWrite, countedClient, dropTables, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import type { RequestCounter } from '../lib/request-counter.ts';
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

/** Counts the erasure-log queries a client sends: the erased-set refreshes, told apart by the partition they query. */
function countLogQueries(client: DynamoDBClient): { count: number } {
  const queries = { count: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      // The serialized body is a string or bytes, depending on the protocol code's version.
      const raw = (args as { request?: { body?: unknown } }).request?.body;
      const body = raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : raw;
      if (typeof body === 'string' && body.includes(JSON.stringify(ERASURE_LOG_PARTITION)))
        queries.count += 1;
      return next(args);
    },
    { step: 'deserialize', name: 'benchErasureLogCounter' },
  );
  return queries;
}

/** Statistics for every user and a feed of 100 activities for the first (`reader-0`). */
async function seedReads(doc: DynamoDBDocumentClient, tables: TableNames, users: readonly string[]) {
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
}

/** What every measured kind of read shares: how many to time and the counters to read. */
interface ReadMeter {
  readonly samples: number;
  readonly counter: RequestCounter;
  readonly logQueries: { count: number };
}

/** Ten untimed reads, then `samples` sequential timed ones of `url(i)`; any answer but 200 or 304 fails. */
async function measureReads(
  meter: ReadMeter,
  what: string,
  url: (i: number) => string,
  headers: Record<string, string> = SIGNED,
): Promise<ReadCost> {
  const { samples, counter, logQueries } = meter;
  progress(`reading: ${samples} ${what}`);
  for (let i = 0; i < Math.min(10, samples); i++) await (await fetch(url(i), { headers })).arrayBuffer();
  counter.reset();
  logQueries.count = 0;
  const began = performance.now();
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const response = await fetch(url(i), { headers });
    await response.arrayBuffer();
    latencies.push(performance.now() - start);
    if (response.status !== 200 && response.status !== 304)
      throw new Error(`${what}: the API answered ${response.status}`);
  }
  return {
    samples,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requestsPerRead: (counter.counts.total - logQueries.count) / samples,
    logQueries: logQueries.count,
    durationMs: performance.now() - began,
    byOperation: { ...counter.counts.byOperation },
  };
}

/** The four kinds of read against a running API, one after the other. */
async function measureKinds(meter: ReadMeter, apiUrl: string, users: readonly string[]) {
  const pick = (i: number) => users[i % users.length] as string;
  const single = await measureReads(
    meter,
    'single statistics reads',
    (i) => `${apiUrl}/users/${pick(i)}/stats`,
  );
  const etag = (await fetch(`${apiUrl}/users/reader-0/stats`, { headers: SIGNED })).headers.get('etag') ?? '';
  const notModified = await measureReads(
    meter,
    'conditional reads (304)',
    () => `${apiUrl}/users/reader-0/stats`,
    {
      ...SIGNED,
      'if-none-match': etag,
    },
  );
  const batch = await measureReads(meter, `batch reads of ${MAX_BATCH_USERS} users`, (i) => {
    const ids = Array.from({ length: MAX_BATCH_USERS }, (_, k) => pick(i + k));
    return `${apiUrl}/stats?userIds=${ids.join(',')}`;
  });
  const feed = await measureReads(
    meter,
    'feed pages of 20',
    () => `${apiUrl}/users/reader-0/activities?limit=20`,
  );
  return { single, notModified, batch, feed };
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
  const logQueries = countLogQueries(client);
  const tables = await freshTables(client, 'reading');
  const users = Array.from({ length: options.users }, (_, i) => `reader-${i}`);
  await seedReads(doc, tables, users);
  const api = await startLocalProfileApi({
    doc,
    tables: { activities: tables.activities, stats: tables.stats },
  });
  try {
    const kinds = await measureKinds({ samples: options.samples, counter, logQueries }, api.url, users);
    return { users: users.length, ...kinds };
  } finally {
    await api.close();
    await dropTables(client, [tables.activities, tables.stats, tables.deadLetters]);
    client.destroy();
  }
}
