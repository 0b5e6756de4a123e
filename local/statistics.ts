import { documentClient } from '../lambda/shared/aws/dynamodb.ts';
import type { TableNames } from '../lambda/shared/tables.ts';
import { createStatsHandler } from '../lambda/statistics/handler.ts';
import { statisticsDependencies } from '../lambda/statistics/wiring.ts';
import { localDynamoClient, localStreamsClient } from './clients.ts';
import {
  LOCAL_INVOCATION_SECONDS,
  refuseAfterDeadline,
  withInvocationDeadline,
} from './invocation-deadline.ts';
import { type LocalMetrics, watchDynamoMetrics } from './metric-feeds.ts';
import { type StreamBatchHandler, startStreamConsumer } from './stream-consumer.ts';

/** The statistics projection running on the activity stream. */
export interface StatisticsProjection {
  stop(): Promise<void>;
  caughtUp(): Promise<void>;
}

/** Starts the statistics projection on the activity stream, as the deployed event source mapping runs it. */
export async function startStatistics(
  database: { readonly endpoint: string; readonly tables: TableNames },
  log: (line: string) => void,
  settings: {
    /** Seconds the set of erased users is cached. */
    readonly erasureCacheSeconds: number;
    readonly wrap?: ((handler: StreamBatchHandler) => StreamBatchHandler) | undefined;
    /** The local CloudWatch's metrics: DynamoDB's and the statistics failures. */
    readonly metrics?: LocalMetrics;
  },
): Promise<StatisticsProjection> {
  const { endpoint: dynamodbEndpoint, tables } = database;
  const { erasureCacheSeconds: cacheSeconds, wrap = (handler) => handler, metrics } = settings;
  const streams = localStreamsClient(dynamodbEndpoint);
  const dynamo = refuseAfterDeadline(localDynamoClient(dynamodbEndpoint));
  if (metrics) watchDynamoMetrics(dynamo, tables, metrics);
  const doc = documentClient(dynamo);
  const handler = wrap(
    createStatsHandler(statisticsDependencies({ client: doc, tables, erasureCacheSeconds: cacheSeconds })),
  );
  const consumer = await startStreamConsumer({
    streams,
    tableName: tables.activities,
    // Bounded like the deployed function: a batch past its timeout fails and is delivered again.
    handler: (event) => withInvocationDeadline(LOCAL_INVOCATION_SECONDS * 1000, () => handler(event)),
    batchSize: 100,
    onFailure: async (records, reason) => {
      metrics?.statisticsFailed(records.length);
      log(`failed    statistics for ${records.length} activities not applied after retries: ${reason}`);
    },
    // A single failed poll is routine on DynamoDB Local (the consumer retries it); repeated ones are news.
    onError: (error, failures) => {
      if (failures >= 3)
        log(`retry     reading the activity stream failed ${failures} times in a row: ${error.message}`);
    },
  });
  return {
    caughtUp: () => consumer.waitUntilIdle(),
    async stop() {
      await consumer.stop();
      streams.destroy();
      dynamo.destroy();
    },
  };
}
