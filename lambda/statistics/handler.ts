import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { observeInvocation } from '../shared/aws/telemetry.ts';
import { activityFromStreamRecord } from './adapters/stream-records.ts';
import { projectionObserver, reportStatsBatch } from './adapters/telemetry.ts';
import { type ProjectionRecord, projectBatch } from './application/project-stats.ts';
import { type StatsDependencies, statisticsDependenciesFromEnv } from './wiring.ts';

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

/** Lambda entry point: dependencies are built from the environment on the first batch. */
export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  configured ??= createStatsHandler(statisticsDependenciesFromEnv());
  return configured(event, context);
};
