import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { DynamoErasureLog } from '../../lambda/shared/aws/erasure-log.ts';
import { CachedErasedUsers } from '../../lambda/shared/erased-users.ts';
import { DynamoProjectionStore } from '../../lambda/statistics/adapters/stats-store.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { LOCAL_AWS, localDynamoClient, localStreamsClient } from '../../local/clients.ts';
import {
  LOCAL_INVOCATION_SECONDS,
  refuseAfterDeadline,
  withInvocationDeadline,
} from '../../local/invocation-deadline.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { type StreamConsumer, startStreamConsumer } from '../../local/stream-consumer.ts';
import { earlierCheckpoints, type FaultPlan, faultyStats, faultyWriter } from './chaos-faults.ts';
import type { ChaosFigures } from './chaos-figures.ts';

/** Options of `runChaos`. */
export interface ChaosOptions {
  /** A running DynamoDB Local; the run creates its own tables on it. */
  readonly dynamodbEndpoint: string;
  readonly runs: number;
  readonly seed: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** One local stack and its clients, shared by every run of a campaign. */
export interface Harness {
  readonly stack: LocalStack;
  readonly eventBridge: EventBridgeClient;
  readonly ssm: SSMClient;
  readonly doc: DynamoDBDocumentClient;
  readonly reader: ProfileReader;
  /** The stack's log, for the report of a failing campaign. */
  readonly stackLog: string[];
  /** The current run's fault plan; the fault wrappers read it on every call. */
  readonly faults: { plan?: FaultPlan | undefined };
  readonly figures: ChaosFigures;
  readonly log: (line: string) => void;
  /** Crashes the statistics consumer and resumes it from an earlier checkpoint. */
  restartConsumer(seed: number): Promise<void>;
  /** Resolves once the statistics consumer has nothing left to read. */
  waitUntilIdle(): Promise<void>;
  close(): Promise<void>;
}

/** The stack with faulty recording, every record's flag read fresh, and statistics left to the harness. */
async function startChaosStack(options: ChaosOptions, faults: Harness['faults'], figures: ChaosFigures) {
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
    wrapActivities: (writer) => faultyWriter(writer, () => faults.plan, figures),
    log: (line) => stackLog.push(line),
  });
  return { stack, stackLog };
}

/** Starts the stack, its clients and a statistics consumer with injected faults. */
export async function startHarness(options: ChaosOptions, figures: ChaosFigures): Promise<Harness> {
  const faults: Harness['faults'] = {};
  const { stack, stackLog } = await startChaosStack(options, faults, figures);
  const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  // Statistics batches are bounded as the deployed function's are (an erasure's wait relies on it).
  const dynamo = refuseAfterDeadline(localDynamoClient(stack.dynamodbEndpoint));
  const doc = documentClient(dynamo);
  const streams = localStreamsClient(stack.dynamodbEndpoint);
  const statsHandler = faultyStats(
    createStatsHandler({
      store: new DynamoProjectionStore(doc, stack.tables.stats),
      erased: new CachedErasedUsers(new DynamoErasureLog(doc, stack.tables.stats), { cacheSeconds: 0 }),
    }),
    () => faults.plan,
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
  const reader = new ProfileReader(doc, {
    activities: stack.tables.activities,
    stats: stack.tables.stats,
  });
  return {
    ...{ stack, eventBridge, ssm, doc, reader, stackLog, faults, figures },
    log: options.log ?? (() => undefined),
    async restartConsumer(seed) {
      // The checkpoint must be one the consumer has passed (Lambda only checkpoints what it handled),
      // so let it catch up first: a consumer lagging behind the chosen point would skip records.
      await consumer.waitUntilIdle();
      await consumer.stop();
      consumer = await startConsumer(await earlierCheckpoints(streams, stack.tables.activities, seed));
    },
    waitUntilIdle: () => consumer.waitUntilIdle(),
    async close() {
      await consumer.stop();
      eventBridge.destroy();
      ssm.destroy();
      streams.destroy();
      dynamo.destroy();
      await stack.stop();
    },
  };
}
