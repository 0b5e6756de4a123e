import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

import {
  erasureLogStaleObserved,
  observeInvocation,
  projectionObserver,
  reportStatsBatch,
} from '../recording/adapters/telemetry.ts';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { DynamoErasureLog } from '../shared/aws/erasure-log.ts';
import { statisticsConfig } from '../shared/config.ts';
import { CachedErasedUsers, type ErasedUsers } from '../shared/erased-users.ts';
import { DynamoProjectionStore } from './adapters/stats-store.ts';
import { activityFromStreamRecord } from './adapters/stream-records.ts';
import type { ProjectionStore } from './application/ports.ts';
import { type ProjectionRecord, projectBatch } from './application/project-stats.ts';

/** What the statistics handler needs. */
export interface StatsDependencies {
  readonly store: ProjectionStore;
  /** Users applied at once; a user's own activities are always applied together, in one write. @default 8 */
  readonly userConcurrency?: number;
  /** Erased users: their activities are acknowledged and nothing is written. @default none */
  readonly erased?: ErasedUsers;
}

/** The stream's new activities, in order; a record without a sequence number fails the whole batch. */
function insertsOf(event: DynamoDBStreamEvent): ProjectionRecord[] {
  return event.Records.filter((record) => record.eventName === 'INSERT').map((record) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!sequenceNumber)
      throw new Error('stream record without a sequence number: the whole batch is retried');
    return { sequenceNumber, activity: () => activityFromStreamRecord(record) };
  });
}

/**
 * The DynamoDB stream handler: applies each new activity's effect to its user's statistics exactly
 * once. Failed records are reported with `ReportBatchItemFailures`; Lambda then redelivers from the
 * lowest of them, and re-applied records are no-ops.
 */
export function createStatsHandler(deps: StatsDependencies) {
  return (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> =>
    observeInvocation(context, {}, 'stream batch not processed; it will be retried', async () => {
      const result = await projectBatch(insertsOf(event), deps.store, {
        observer: projectionObserver,
        userConcurrency: deps.userConcurrency,
        erased: deps.erased,
      });
      reportStatsBatch(event.Records.length, result);
      return { batchItemFailures: result.failed.map((itemIdentifier) => ({ itemIdentifier })) };
    });
}

let configured: ReturnType<typeof createStatsHandler> | undefined;

/** Lambda entry point. */
export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  if (!configured) {
    const config = statisticsConfig();
    const client = documentClient();
    configured = createStatsHandler({
      store: new DynamoProjectionStore(client, config.statsTableName),
      erased: new CachedErasedUsers(new DynamoErasureLog(client, config.statsTableName), {
        cacheSeconds: config.erasureCacheSeconds,
        onStale: erasureLogStaleObserved,
      }),
    });
  }
  return configured(event, context);
};
