import { createHash, randomUUID } from 'node:crypto';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { LOCAL_AWS, localDynamoClient, localStreamsClient } from '../../infra/local/clients.ts';
import {
  LOCAL_INVOCATION_SECONDS,
  refuseAfterDeadline,
  withInvocationDeadline,
} from '../../infra/local/invocation-deadline.ts';
import { startLocalStack } from '../../infra/local/stack.ts';
import {
  readShardRecords,
  type StreamBatchHandler,
  type StreamConsumer,
  startStreamConsumer,
} from '../../infra/local/stream-consumer.ts';
import { documentClient } from '../../lambda/adapters/clients.ts';
import { DynamoErasureLog } from '../../lambda/adapters/erasure-store.ts';
import { ProfileReader } from '../../lambda/adapters/profile-reader.ts';
import { DynamoProjectionStore } from '../../lambda/adapters/stats-store.ts';
import { userPartition } from '../../lambda/adapters/user-items.ts';
import { CachedErasedUsers } from '../../lambda/application/erased-users.ts';
import type { ActivityWriter } from '../../lambda/application/ports.ts';
import { activityFor } from '../../lambda/domain/activity.ts';
import { statsActivityOf } from '../../lambda/domain/activity-item.ts';
import { deadLetterFor } from '../../lambda/domain/dead-letter.ts';
import { TransientStoreError } from '../../lambda/domain/errors.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import { isUserIncluded, parseFlag } from '../../lambda/domain/flag.ts';
import { type StatsActivity, statsOf } from '../../lambda/domain/stats.ts';
import { createStatsHandler } from '../../lambda/handlers/project-stats.ts';
import { entrySize, planRequests } from '../../lambda/publisher/batching.ts';
import { eraseDuringRun, leftoversOf, namesOnly, planErasure } from './chaos-erasure.ts';
import { type Scenario, type ScenarioEvent, scenarioArbitrary } from './scenario.ts';

/** What the chaos runs tried and what held; every number is counted, none estimated. */
export interface ChaosFigures {
  runs: number;
  /** Distinct valid actions generated. */
  uniqueEvents: number;
  /** Distinct actions broken on purpose. */
  invalidEvents: number;
  /** PutEvents entries sent, copies included. */
  published: number;
  /** Entries that were a copy of an action already sent. */
  duplicates: number;
  flagChanges: number;
  recordFaultsBeforeWrite: number;
  recordFaultsAfterWrite: number;
  statisticsFaults: number;
  consumerRestarts: number;
  /** (user, key) activities the flag admitted: each must exist exactly once. */
  expectedActivities: number;
  usersChecked: number;
  /** Expected activities missing, plus statistics below the oracle. */
  losses: number;
  /** Activities that must not exist (excluded user, unknown key), plus statistics above the oracle. */
  doubles: number;
  /** Users whose statistics differ from `statsOf` in any field. */
  statsMismatches: number;
  /** Broken events without their dead letter. */
  missingDeadLetters: number;
  /** Valid events that exhausted their delivery attempts or statistics that were given up. */
  givenUp: number;
  /** Users erased while a segment was being published. */
  erasures: number;
  /** Items of erased users found at the end (recorded or projected after the erasure took effect). */
  erasedLeftovers: number;
  durationMs: number;
}

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** A running DynamoDB Local; the run creates its own tables on it. */
  readonly dynamodbEndpoint: string;
  readonly runs: number;
  readonly seed: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

const emptyFigures = (): ChaosFigures => ({
  runs: 0,
  uniqueEvents: 0,
  invalidEvents: 0,
  published: 0,
  duplicates: 0,
  flagChanges: 0,
  recordFaultsBeforeWrite: 0,
  recordFaultsAfterWrite: 0,
  statisticsFaults: 0,
  consumerRestarts: 0,
  expectedActivities: 0,
  usersChecked: 0,
  losses: 0,
  doubles: 0,
  statsMismatches: 0,
  missingDeadLetters: 0,
  givenUp: 0,
  erasures: 0,
  erasedLeftovers: 0,
  durationMs: 0,
});

/** A number in [0, 1) from the inputs: fault decisions replay exactly for a given scenario. */
function chance(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

/** The current run's fault plan; the wrappers read it, so one stack serves every run. */
interface FaultPlan {
  readonly scenario: Scenario;
  readonly writesSeen: Map<string, number>;
  readonly batchesSeen: Map<string, number>;
}

/**
 * The activity writer with injected faults: the first write of a (user, key) fails with the
 * scenario's probability, half the time before it reaches DynamoDB and half the time after the
 * item was stored (the handler then sees an error for a write that happened).
 */
function faultyWriter(
  inner: ActivityWriter,
  plan: () => FaultPlan | undefined,
  figures: ChaosFigures,
): ActivityWriter {
  return {
    async putIfAbsent(activity) {
      const current = plan();
      if (!current) return inner.putIfAbsent(activity);
      const id = `${activity.userId}|${activity.idempotencyKey}`;
      const seen = (current.writesSeen.get(id) ?? 0) + 1;
      current.writesSeen.set(id, seen);
      const roll = chance(current.scenario.faultSeed, 'write', id);
      if (seen > 1 || roll >= current.scenario.recordFaultRate) return inner.putIfAbsent(activity);
      if (roll < current.scenario.recordFaultRate / 2) {
        figures.recordFaultsBeforeWrite += 1;
        throw new TransientStoreError(`injected fault before writing ${id}`);
      }
      const result = await inner.putIfAbsent(activity);
      figures.recordFaultsAfterWrite += 1;
      throw new TransientStoreError(`injected fault after writing ${id} (written: ${result.written})`);
    },
  };
}

/**
 * The statistics handler with injected faults: a batch fails with the scenario's probability after
 * its first half was applied, the way a Lambda that times out mid-batch leaves it.
 */
function faultyStats(
  inner: StreamBatchHandler,
  plan: () => FaultPlan | undefined,
  figures: ChaosFigures,
): StreamBatchHandler {
  return async (event) => {
    const current = plan();
    const first = event.Records[0]?.dynamodb?.SequenceNumber ?? '';
    if (!current || event.Records.length === 0) return inner(event);
    const seen = (current.batchesSeen.get(first) ?? 0) + 1;
    current.batchesSeen.set(first, seen);
    if (seen > 1 || chance(current.scenario.faultSeed, 'batch', first) >= current.scenario.statsFaultRate)
      return inner(event);
    await inner({ Records: event.Records.slice(0, Math.floor(event.Records.length / 2)) });
    figures.statisticsFaults += 1;
    throw new Error(`injected fault after half of the batch starting at ${first}`);
  };
}

/** Per shard, the sequence number of a record some way back: where a restarted consumer resumes. */
async function earlierCheckpoints(
  streams: DynamoDBStreamsClient,
  table: string,
  seed: number,
): Promise<Record<string, string>> {
  const { shards } = await readShardRecords(streams, table);
  const out: Record<string, string> = {};
  for (const [shardId, records] of shards) {
    const sequences = records.flatMap((r) => (r.dynamodb?.SequenceNumber ? [r.dynamodb.SequenceNumber] : []));
    // Somewhere in the last half: far enough back to redeliver applied records, never the whole history.
    const back = Math.floor(chance(seed, shardId) * Math.ceil(sequences.length / 2));
    const sequence = sequences[sequences.length - 1 - back];
    if (sequence) out[shardId] = sequence;
  }
  return out;
}

/** Ids carry a placeholder until the run gives them its own prefix (runs share tables). */
const PLACEHOLDER = '§';

function withPrefix(events: readonly ScenarioEvent[], prefix: string): ScenarioEvent[] {
  return JSON.parse(JSON.stringify(events).replaceAll(PLACEHOLDER, prefix)) as ScenarioEvent[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the chaos property: for each generated scenario, publishes every copy through the local
 * endpoint with the real EventBridge client, with faults in recording and statistics and consumer
 * restarts, then checks the tables against the contract's oracle. Returns the figures; the caller
 * asserts that losses, doubles and mismatches are zero (fast-check also fails the property on the
 * first run where they are not).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const figures = emptyFigures();
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  let plan: FaultPlan | undefined;
  const stackLog: string[] = [];
  const stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: options.dynamodbEndpoint,
    tablePrefix: `chaos${randomUUID().slice(0, 8)}-`,
    flag: 'on',
    // Read the flag on every event: each segment's value then applies to exactly its own deliveries.
    flagCacheSeconds: 0,
    deliveryAttempts: 6,
    retryBaseMs: 10,
    statistics: false,
    wrapActivities: (writer) => faultyWriter(writer, () => plan, figures),
    log: (line) => stackLog.push(line),
  });
  const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  // Statistics batches are bounded as the deployed function's are (an erasure's wait relies on it).
  const dynamo = refuseAfterDeadline(localDynamoClient(stack.dynamodbEndpoint));
  const doc = documentClient(dynamo);
  const streams = localStreamsClient(stack.dynamodbEndpoint);
  const reader = new ProfileReader(doc, {
    activityTable: stack.tables.activities,
    statsTable: stack.tables.stats,
  });
  const statsHandler = faultyStats(
    createStatsHandler({
      store: new DynamoProjectionStore(doc, stack.tables.stats),
      erased: new CachedErasedUsers(new DynamoErasureLog(doc, stack.tables.stats), { cacheSeconds: 0 }),
    }),
    () => plan,
    figures,
  );
  const startConsumer = (startAfter?: Record<string, string>) =>
    startStreamConsumer({
      streams,
      tableName: stack.tables.activities,
      handler: (event) => withInvocationDeadline(LOCAL_INVOCATION_SECONDS * 1000, () => statsHandler(event)),
      batchSize: 100,
      maxRetries: 8,
      idlePollMs: 20,
      ...(startAfter ? { startAfter } : {}),
      onFailure: async (records) => {
        figures.givenUp += records.length;
      },
    });
  let consumer: StreamConsumer = await startConsumer();
  let runIndex = 0;

  const property = fc.asyncProperty(scenarioArbitrary(PLACEHOLDER), async (generated) => {
    runIndex += 1;
    const prefix = `c${runIndex}x${randomUUID().slice(0, 4)}`;
    const events = withPrefix(generated.events, prefix);
    const scenario: Scenario = { ...generated, events };
    plan = { scenario, writesSeen: new Map(), batchesSeen: new Map() };
    const accepted = events.map((e) =>
      e.invalid
        ? undefined
        : acceptEvent({
            id: 'oracle',
            source: stack.eventSource,
            'detail-type': e.detailType,
            detail: e.detail,
          }),
    );
    figures.runs += 1;
    figures.uniqueEvents += accepted.filter(Boolean).length;
    figures.invalidEvents += events.filter((e) => e.invalid).length;

    // The oracle: which (user, key) the flag admitted on at least one delivery of a copy.
    const expected = new Map<string, StatsActivity & { payloadHash: string }>();
    const erasure = planErasure(
      scenario.faultSeed,
      [...new Set(accepted.flatMap((e) => e?.userIds ?? []))].sort(),
      scenario.segments.length,
    );
    let erasing: Promise<unknown> | undefined;
    for (const [segmentIndex, segment] of scenario.segments.entries()) {
      // The erasure runs while this segment's copies are delivered, as an operator's would.
      if (erasure?.segment === segmentIndex) erasing = eraseDuringRun(doc, stack.tables, erasure.userId, 0);
      await ssm.send(
        new PutParameterCommand({
          Name: stack.flagParameterName,
          Value: segment.flag,
          Type: 'String',
          Overwrite: true,
        }),
      );
      figures.flagChanges += 1;
      const flag = parseFlag(segment.flag);
      await Promise.all(
        segment.batches.map(async (batch) => {
          await pause(batch.delayMs);
          const entries: PutEventsRequestEntry[] = batch.copies.map((i) => ({
            EventBusName: stack.busName,
            Source: stack.eventSource,
            DetailType: (events[i] as ScenarioEvent).detailType,
            Detail: JSON.stringify((events[i] as ScenarioEvent).detail),
          }));
          for (const request of planRequests(entries, entrySize)) {
            const response = await eventBridge.send(new PutEventsCommand({ Entries: request }));
            if (response.FailedEntryCount !== 0)
              throw new Error(`the endpoint refused entries: ${JSON.stringify(response.Entries)}`);
          }
          figures.published += entries.length;
          for (const i of batch.copies) {
            const event = accepted[i];
            if (!event) continue;
            for (const userId of event.userIds) {
              if (!isUserIncluded(flag, userId)) continue;
              expected.set(`${userId}|${event.idempotencyKey}`, {
                ...statsActivityOf(activityFor(event, userId, new Date())),
                payloadHash: event.payloadHash,
              });
            }
          }
        }),
      );
      await stack.settled();
      if (segment.restartConsumer) {
        // Crash and resume from an earlier checkpoint: records already applied come again. The
        // checkpoint must be one the consumer has passed (Lambda only checkpoints what it handled),
        // so let it catch up first: a consumer lagging behind the chosen point would skip records.
        await consumer.waitUntilIdle();
        await consumer.stop();
        consumer = await startConsumer(
          await earlierCheckpoints(streams, stack.tables.activities, scenario.faultSeed),
        );
        figures.consumerRestarts += 1;
      }
    }
    await erasing;
    figures.duplicates +=
      scenario.segments.reduce((n, s) => n + s.batches.reduce((m, b) => m + b.copies.length, 0), 0) -
      events.length;
    await stack.settled();
    await consumer.waitUntilIdle();
    let runLeftovers = 0;
    if (erasure) {
      // Nothing of an erased user is expected: what was recorded before was deleted, nothing after.
      for (const [id, activity] of expected) if (activity.userId === erasure.userId) expected.delete(id);
      runLeftovers = await leftoversOf(doc, stack.tables, erasure.userId);
      figures.erasures += 1;
      figures.erasedLeftovers += runLeftovers;
    }
    figures.expectedActivities += expected.size;

    const users = [...new Set(accepted.flatMap((e) => e?.userIds ?? []))];
    let runLosses = 0;
    let runDoubles = 0;
    let runMismatches = 0;
    for (const userId of users) {
      const items = await userPartition(doc, stack.tables.activities, userId);
      const stored = new Map(items.map((item) => [String(item.idempotencyKey), item]));
      const mine = [...expected.values()].filter((a) => a.userId === userId);
      for (const activity of mine) {
        const item = stored.get(activity.idempotencyKey);
        if (!item) runLosses += 1;
        else if (item.payloadHash !== activity.payloadHash) runDoubles += 1;
      }
      runDoubles += [...stored.keys()].filter((key) => !mine.some((a) => a.idempotencyKey === key)).length;

      const want = statsOf(userId, mine);
      const { winRate: _derived, ...got } = await reader.stats(userId);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        runMismatches += 1;
        if (got.activityCount < want.activityCount) runLosses += 1;
        if (got.activityCount > want.activityCount) runDoubles += 1;
        log(`mismatch ${userId}: stored ${JSON.stringify(got)} expected ${JSON.stringify(want)}`);
      }
    }
    figures.usersChecked += users.length;

    let runMissingDeadLetters = 0;
    for (const event of events.filter((e) => e.invalid && !namesOnly(e, erasure?.userId))) {
      const { deadLetterId } = deadLetterFor(
        { source: stack.eventSource, 'detail-type': event.detailType, detail: event.detail },
        'invalid',
        [],
        new Date(),
      );
      const { Item } = await doc.send(
        new GetCommand({ TableName: stack.tables.deadLetters, Key: { deadLetterId }, ConsistentRead: true }),
      );
      if (!Item) runMissingDeadLetters += 1;
    }
    const { Items: failed = [] } = await doc.send(
      new ScanCommand({
        TableName: stack.tables.deadLetters,
        FilterExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': 'kind' },
        ExpressionAttributeValues: { ':k': 'delivery-failed' },
        ConsistentRead: true,
      }),
    );
    figures.givenUp += failed.length;
    figures.losses += runLosses;
    figures.doubles += runDoubles;
    figures.statsMismatches += runMismatches;
    figures.missingDeadLetters += runMissingDeadLetters;
    log(
      `run ${runIndex}: ${events.length} actions, ${expected.size} activities for ${users.length} users, ` +
        `flags ${scenario.segments.map((s) => s.flag).join('→')}, losses ${runLosses}, doubles ${runDoubles}, ` +
        `mismatches ${runMismatches}, missing dead letters ${runMissingDeadLetters}, given up ${figures.givenUp}, ` +
        `erased ${erasure ? erasure.userId : 'nobody'} leftovers ${runLeftovers}`,
    );
    return (
      runLosses + runDoubles + runMismatches + runMissingDeadLetters + figures.givenUp + runLeftovers === 0
    );
  });

  try {
    await fc.assert(property, { seed: options.seed, numRuns: options.runs, endOnFailure: true });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast stack lines:\n${stackLog.slice(-20).join('\n')}`, {
      cause: error,
    });
  } finally {
    plan = undefined;
    figures.durationMs = Date.now() - started;
    await consumer.stop();
    eventBridge.destroy();
    ssm.destroy();
    streams.destroy();
    dynamo.destroy();
    await stack.stop();
  }
  return figures;
}
