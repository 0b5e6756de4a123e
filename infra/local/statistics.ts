import { documentClient } from '../../lambda/adapters/clients.ts';
import { DynamoProjectionStore } from '../../lambda/adapters/stats-store.ts';
import { createStatsHandler } from '../../lambda/handlers/project-stats.ts';
import { localDynamoClient, localStreamsClient } from './clients.ts';
import type { LocalRollout } from './rollout.ts';
import { watchDynamoFaults } from './stop-conditions.ts';
import { type StreamBatchHandler, startStreamConsumer } from './stream-consumer.ts';
import type { TableNames } from './tables.ts';

/** The statistics projection running on the activity stream. */
export interface StatisticsProjection {
  stop(): Promise<void>;
  caughtUp(): Promise<void>;
}

/** Starts the statistics projection on the activity stream, as the deployed event source mapping runs it. */
export async function startStatistics(
  dynamodbEndpoint: string,
  tables: TableNames,
  log: (line: string) => void,
  wrap: (handler: StreamBatchHandler) => StreamBatchHandler = (handler) => handler,
  signals?: Pick<LocalRollout, 'statisticsFailed' | 'dynamoFault'>,
): Promise<StatisticsProjection> {
  const streams = localStreamsClient(dynamodbEndpoint);
  const dynamo = localDynamoClient(dynamodbEndpoint);
  if (signals) watchDynamoFaults(dynamo, () => signals.dynamoFault());
  const consumer = await startStreamConsumer({
    streams,
    tableName: tables.activities,
    handler: wrap(
      createStatsHandler({ store: new DynamoProjectionStore(documentClient(dynamo), tables.stats) }),
    ),
    batchSize: 100,
    onFailure: async (records, reason) => {
      signals?.statisticsFailed(records.length);
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
