/**
 * Keeps the local stack under a steady mixed load for N minutes (the chaos generator's tournaments,
 * duplicates and broken events included, at a fixed rate) and samples once a minute: this process's
 * RSS, heap and open handles, DynamoDB Local's RSS, publish-to-statistics latency p50/p99, and the
 * activities and statistics of the users touched that minute against the contract's oracle.
 * Ends with the slope of each figure. Usage: npm run soak -- [--minutes N] [--rate R] [--seed S] [--out FILE]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
const { sleep } = await import('../lambda/shared/backoff.ts');
const { default: fc } = await import('fast-check');
const { LOCAL_AWS, localDynamoClient } = await import('../local/clients.ts');
const { startLocalStack } = await import('../local/stack.ts');
const { documentClient } = await import('../lambda/shared/aws/dynamodb.ts');
const { ProfileReader } = await import('../lambda/read-api/adapters/profile-reader.ts');
const { activityFor } = await import('../lambda/recording/domain/activities.ts');
const { statsActivityOf } = await import('../lambda/statistics/domain/stats-activity.ts');
const { acceptEvent } = await import('../lambda/shared/contract/events.ts');
const { statsOf } = await import('../lambda/statistics/domain/stats.ts');
const { entrySize, planRequests } = await import('../lambda/publisher/batching.ts');
const { scenarioArbitrary } = await import('./reliability/scenario.ts');
const { percentile, slope } = await import('./soak-figures.ts');
type StatsActivity = import('../lambda/statistics/domain/stats.ts').StatsActivity;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    seed: { type: 'string', default: '20261126' },
    out: { type: 'string', default: '.soak/latest.json' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const seed = Number(values.seed);
if (!(minutes > 0) || !(rate > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- [--minutes N] [--rate ENTRIES_PER_SECOND] [--seed S] [--out FILE]');
  process.exit(2);
}

/**
 * The oracle, per user: their expected activities, and the history they belong to. Users of finished
 * histories are dropped once checked, so the oracle stays the size of one history and does not
 * distort this process's memory figures.
 */
const oracle = new Map<string, { history: number; activities: Map<string, StatsActivity> }>();
let currentHistory = 0;
let activitiesExpected = 0;
/** Per idempotency key, when its first copy was published (for the latency figures). */
const publishedAt = new Map<string, number>();
let latencies: number[] = [];
const touched = new Set<string>();

const stack = await startLocalStack({
  port: 0,
  dynamodbPort: 0,
  tablePrefix: 'soak-',
  flag: 'on',
  wrapStatistics: (inner) => async (event) => {
    const result = await inner(event);
    const failed = new Set(result?.batchItemFailures?.map((f) => f.itemIdentifier));
    const now = Date.now();
    for (const record of event.Records) {
      const key = record.dynamodb?.NewImage?.idempotencyKey?.S;
      const at = key ? publishedAt.get(key) : undefined;
      if (at !== undefined && !failed.has(record.dynamodb?.SequenceNumber ?? '')) latencies.push(now - at);
    }
    return result;
  },
});
const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
const dynamo = localDynamoClient(stack.dynamodbEndpoint);
const doc = documentClient(dynamo);
const reader = new ProfileReader(doc, {
  activities: stack.tables.activities,
  stats: stack.tables.stats,
});

/** Entries to publish, one generated history after another, each copy of an action in its shuffled place. */
function* entries() {
  // Generated lazily, a few histories at a time, each block from the next seed: any length of soak.
  for (let h = 0; ; h += 1) {
    const [history] = fc.sample(scenarioArbitrary('§'), { seed: seed + h, numRuns: 1 });
    if (!history) return;
    currentHistory = h;
    const events = JSON.parse(
      JSON.stringify(history.events).replaceAll('§', `s${h}x`),
    ) as typeof history.events;
    for (const copy of history.segments.flatMap((s) => s.batches.flatMap((b) => b.copies))) {
      const event = events[copy] as (typeof events)[number];
      yield {
        event,
        entry: {
          EventBusName: stack.busName,
          Source: stack.eventSource,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        },
      };
    }
  }
}

function addToOracle(event: { detailType: string; detail: unknown; invalid?: string }): void {
  if (event.invalid) return;
  const accepted = acceptEvent({
    id: 'oracle',
    source: stack.eventSource,
    'detail-type': event.detailType,
    detail: event.detail,
  });
  if (!publishedAt.has(accepted.idempotencyKey)) publishedAt.set(accepted.idempotencyKey, Date.now());
  for (const userId of accepted.userIds) {
    touched.add(userId);
    const mine = oracle.get(userId) ?? { history: currentHistory, activities: new Map() };
    oracle.set(userId, mine);
    if (!mine.activities.has(accepted.idempotencyKey)) activitiesExpected += 1;
    mine.activities.set(accepted.idempotencyKey, statsActivityOf(activityFor(accepted, userId, new Date())));
  }
}

/** Checks every user touched since the last sample: activity count and statistics equal the oracle. */
async function checkTouched(): Promise<{ users: number; mismatches: number }> {
  const users = [...touched];
  touched.clear();
  let mismatches = 0;
  for (const userId of users) {
    const mine = [...(oracle.get(userId)?.activities.values() ?? [])];
    const { Count = 0 } = await doc.send(
      new QueryCommand({
        TableName: stack.tables.activities,
        KeyConditionExpression: '#u = :u',
        ExpressionAttributeNames: { '#u': 'userId' },
        ExpressionAttributeValues: { ':u': userId },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    );
    const want = statsOf(userId, mine);
    const view = await reader.stats(userId);
    // The fields the oracle computes, in its order (the view also has the win rate and streaks).
    const got = Object.fromEntries(
      Object.keys(want).map((field) => [field, view[field as keyof typeof view]]),
    );
    if (Count !== mine.length || JSON.stringify(got) !== JSON.stringify(want)) mismatches += 1;
  }
  for (const [userId, { history }] of oracle) if (history < currentHistory) oracle.delete(userId);
  return { users: users.length, mismatches };
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? Number.NaN) / 1024;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const samples: Record<string, number>[] = [];
const source = entries();
const tickMs = 500;
let published = 0;
let behind = 0;
console.log(`soak: ${minutes} min at ${rate} entries/s, seed ${seed}; ${stack.endpoint}`);
for (let minute = 1; minute <= minutes; minute += 1) {
  const minuteEnd = Date.now() + 60_000; // a minute of load; the check after it is not counted
  let publishedThisMinute = 0;
  const minuteStart = Date.now();
  for (let tick = minuteStart; tick < minuteEnd; tick += tickMs) {
    // Exactly `rate` entries a second on average, whatever the rate: what is due by the tick's end.
    const due = Math.round(((tick + tickMs - minuteStart) * rate) / 1000) - publishedThisMinute;
    const batch = Array.from({ length: due }, () => source.next().value).filter((x) => x !== undefined);
    for (const chunk of planRequests(batch, (c) => entrySize(c.entry))) {
      for (const { event } of chunk) addToOracle(event);
      const out = await eventBridge.send(new PutEventsCommand({ Entries: chunk.map((c) => c.entry) }));
      if (out.FailedEntryCount)
        throw new Error(`the endpoint refused entries: ${JSON.stringify(out.Entries)}`);
    }
    published += batch.length;
    publishedThisMinute += batch.length;
    const wait = tick + tickMs - Date.now();
    if (wait > 0) await sleep(wait);
    else behind += 1; // publishing itself took longer than a tick: the rate was not reached
  }
  // Quiesce, then compare with the oracle: the check reads settled state, not a moving target.
  await stack.settled();
  const check = await checkTouched();
  const memory = process.memoryUsage();
  const sample = {
    minute,
    published: publishedThisMinute,
    rssMb: mb(memory.rss),
    heapMb: mb(memory.heapUsed),
    handles: process.getActiveResourcesInfo().length,
    dynamodbRssMb: Math.round(rssOf(stack.dynamodbPid) * 10) / 10,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    usersChecked: check.users,
    mismatches: check.mismatches,
    ticksBehind: behind,
  };
  latencies = [];
  for (const [key, at] of publishedAt) if (at < Date.now() - 600_000) publishedAt.delete(key);
  samples.push(sample);
  console.log(
    Object.entries(sample)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );
}

const steady = samples.slice(1); // the first minute includes start-up and warm-up
const figures = ['rssMb', 'heapMb', 'handles', 'dynamodbRssMb', 'p50Ms', 'p99Ms'].map((name) => ({
  name,
  ...slope(steady.map((s) => [s.minute as number, s[name] as number])),
}));
const matched = samples.every((s) => s.mismatches === 0);
const report = {
  minutes,
  rate,
  seed,
  published,
  activities: activitiesExpected,
  samples,
  slopes: figures,
  matchedEverySample: matched,
};
mkdirSync(dirname(values.out as string), { recursive: true });
writeFileSync(values.out as string, `${JSON.stringify(report, null, 2)}\n`);
for (const f of figures)
  console.log(
    `slope ${f.name.padEnd(14)} ${f.perMinute.toFixed(3)}/min (${f.percentOfMeanPerMinute.toFixed(2)} % of mean per min)`,
  );
console.log(
  `${published} entries, ${activitiesExpected} activities; statistics ${matched ? 'matched the oracle at every sample' : 'MISMATCHED'}; report ${values.out}`,
);
eventBridge.destroy();
dynamo.destroy();
await stack.stop();
process.exit(matched ? 0 : 1);
