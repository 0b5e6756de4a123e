/**
 * How long a duplicate activity takes to reach its alarm, at two table sizes: the measurement behind
 * docs/reliability.md ("Duplicates within minutes at any size"). For each size it fills a fresh
 * activity table (DynamoDB Local) with N activities, 50 per user, starts the local stack over it
 * (the stream audit starts at LATEST, like the deployed mapping, so the fill is history), then
 * `--runs` times writes a copy of one user's activity under another key (the same action recorded
 * twice) at a fixed phase of the alarm period and times (a) the audit's `AuditDuplicateActivities`
 * datapoint and (b) the `local-AuditDuplicateActivities` alarm going into ALARM. The scheduled
 * sweep is off, so only the audit of touched users can find it; with the sweep on it can only be
 * sooner. Prints one JSON line per run and a summary with the ratio of the medians.
 *
 *   npx tsx scripts/reliability/duplicate-detection.ts [--sizes 10000,100000] [--runs 5] [--period 5]
 */
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { BatchWriteCommand, PutCommand, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
const { documentClient } = await import('../../lambda/shared/aws/dynamodb.ts');
const { acceptEvent } = await import('../../lambda/shared/contract/events.ts');
const { activityFor } = await import('../../lambda/recording/domain/activities.ts');
const { AUDIT_METRIC } = await import('../../lambda/shared/observability.ts');
const { tableNames } = await import('../../lambda/shared/tables.ts');
const { sleep } = await import('../../lambda/shared/backoff.ts');
const { forEachLimit } = await import('../../lambda/shared/concurrency.ts');
const { bridgeEvent } = await import('../../local/bridge-event.ts');
const { localDynamoClient } = await import('../../local/clients.ts');
const { startDynamoDbLocal } = await import('../../local/dynamodb-local.ts');
const { startLocalStack } = await import('../../local/stack.ts');
const { localAlarmName } = await import('../../local/stop-conditions.ts');
const { ensureTables } = await import('../../local/tables.ts');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    runs: { type: 'string', default: '5' },
    period: { type: 'string', default: '5' },
  },
});
const sizes = (values.sizes as string).split(',').map(Number);
const runs = Number(values.runs);
const periodSeconds = Number(values.period);
const ACTIVITIES_PER_USER = 50;
/** A generous deadline: a busy machine slows the audit, it does not lose the duplicate. */
const GIVE_UP_MS = 10 * 60_000;

/** One match finalization of `userId` alone: a valid activity of its own. */
function activity(userId: string, n: number) {
  const detail = {
    tournamentId: `t-${userId}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
    matchId: `m-${userId}-${n}`,
    resolution: 'completed',
    participantUserIds: [userId],
    winnerUserIds: [userId],
  };
  return activityFor(acceptEvent(bridgeEvent('MatchFinalized', detail)), userId, new Date());
}

/** Fills the activity table with `size` activities, 50 per user, 25 per batch, 16 batches at a time. */
async function fill(doc: ReturnType<typeof documentClient>, table: string, size: number): Promise<string[]> {
  const users = Array.from({ length: Math.ceil(size / ACTIVITIES_PER_USER) }, (_, i) => `dup-u${i}`);
  const items = users
    .flatMap((user) => Array.from({ length: ACTIVITIES_PER_USER }, (_, n) => activity(user, n)))
    .slice(0, size);
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
    items.slice(i * 25, i * 25 + 25),
  );
  await forEachLimit(batches, 16, async (batch) => {
    let pending = { [table]: batch.map((Item) => ({ PutRequest: { Item } })) };
    while ((pending[table]?.length ?? 0) > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = (out.UnprocessedItems ?? {}) as typeof pending;
    }
  });
  return users;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** The runs at one size: time to the audit's datapoint and to the alarm, per duplicate. */
async function measure(endpoint: string, size: number) {
  const tables = tableNames(`dup${size}-`);
  const dynamo = localDynamoClient(endpoint);
  const doc = documentClient(dynamo);
  await ensureTables(dynamo, tables);
  const filledAt = Date.now();
  const users = await fill(doc, tables.activities, size);
  console.error(`${size} activities written in ${Math.round((Date.now() - filledAt) / 1000)} s`);
  const stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: endpoint,
    tablePrefix: `dup${size}-`,
    statistics: false,
    auditSweep: false,
    auditIntervalSeconds: periodSeconds,
  });
  const alarm = localAlarmName('AuditDuplicateActivities');
  const state = () => stack.cloudWatch.alarms.all().find((a) => a.record.name === alarm)?.record.state;
  const duplicates = {
    source: 'integration',
    metricName: AUDIT_METRIC.duplicates,
    dimensions: { service: 'service' },
  } as const;
  const results: { toMetricMs: number; toAlarmMs: number }[] = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      while (state() === 'ALARM') await sleep(50);
      // Inject 200 ms into a period, so each run waits the same part of the period for its alarm.
      const period = periodSeconds * 1000;
      await sleep(period - (Date.now() % period) + 200);
      const user = users[Math.floor(((run + 0.5) / runs) * users.length)] as string;
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: tables.activities,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': user },
          Limit: 1,
        }),
      );
      const injectedAt = Date.now();
      await doc.send(
        new PutCommand({
          TableName: tables.activities,
          Item: { ...Items[0], idempotencyKey: `${String(Items[0]?.idempotencyKey)}:copy${run}` },
        }),
      );
      let toMetricMs = 0;
      while (state() !== 'ALARM') {
        if (Date.now() - injectedAt > GIVE_UP_MS)
          throw new Error(
            `no alarm ${GIVE_UP_MS / 60_000} minutes after the duplicate at ${size} activities: read the audit's log (POWERTOOLS_LOG_LEVEL=INFO)`,
          );
        if (!toMetricMs && stack.cloudWatch.metrics.store.sumSince(duplicates, injectedAt) > 0)
          toMetricMs = Date.now() - injectedAt;
        await sleep(10);
      }
      const result = { size, run, toMetricMs, toAlarmMs: Date.now() - injectedAt };
      results.push(result);
      console.log(JSON.stringify(result));
    }
  } finally {
    await stack.stop();
    dynamo.destroy();
  }
  return {
    size,
    medianToMetricMs: median(results.map((r) => r.toMetricMs)),
    medianToAlarmMs: median(results.map((r) => r.toAlarmMs)),
    maxToAlarmMs: Math.max(...results.map((r) => r.toAlarmMs)),
  };
}

const engine = await startDynamoDbLocal();
try {
  const summaries = [];
  for (const size of sizes) summaries.push(await measure(engine.endpoint, size));
  const [small, large] = [summaries[0], summaries.at(-1)];
  console.log(
    JSON.stringify({
      periodSeconds,
      runs,
      activitiesPerUser: ACTIVITIES_PER_USER,
      summaries,
      ratioToAlarm:
        small && large ? Math.round((large.medianToAlarmMs / small.medianToAlarmMs) * 100) / 100 : undefined,
      ratioToMetric:
        small && large
          ? Math.round((large.medianToMetricMs / small.medianToMetricMs) * 100) / 100
          : undefined,
    }),
  );
} finally {
  await engine.stop();
}
