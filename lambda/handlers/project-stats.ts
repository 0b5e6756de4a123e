import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../adapters/clients.ts';
import { statisticsConfig } from '../adapters/config.ts';
import { logger, METRIC, metrics } from '../adapters/observability.ts';
import { DynamoProjectionStore } from '../adapters/stats-store.ts';
import { activityFromStreamRecord } from '../adapters/stream-records.ts';
import { applyUserEffects } from '../application/project-stats.ts';
import type { ProjectionStore } from '../application/stats-ports.ts';
import { type Effect, effectOf } from '../domain/stats.ts';

/** What the statistics handler needs. */
export interface StatsDependencies {
  readonly store: ProjectionStore;
  /** Users applied at once; a user's own activities are always applied together, in one write. @default 8 */
  readonly userConcurrency?: number;
}

interface UserGroup {
  readonly effects: Effect[];
  readonly sequenceNumbers: string[];
}

/**
 * The DynamoDB stream handler: applies each new activity's effect to its user's statistics exactly
 * once. Activities of one user in the batch are applied together (fewer writes); users are
 * independent. Failed records are reported with `ReportBatchItemFailures`; Lambda then redelivers
 * from the lowest of them, and re-applied records are no-ops.
 */
export function createStatsHandler(deps: StatsDependencies) {
  return async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    const failed = new Set<string>();
    const groups = new Map<string, UserGroup>();
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT') continue;
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber)
        throw new Error('stream record without a sequence number: the whole batch is retried');
      try {
        const activity = activityFromStreamRecord(record);
        const group = groups.get(activity.userId) ?? { effects: [], sequenceNumbers: [] };
        group.effects.push(effectOf(activity));
        group.sequenceNumbers.push(sequenceNumber);
        groups.set(activity.userId, group);
      } catch (error) {
        logger.error('unreadable stream record: reported as failed', { sequenceNumber, error });
        failed.add(sequenceNumber);
      }
    }

    let applied = 0;
    let alreadyApplied = 0;
    const users = [...groups.entries()];
    let next = 0;
    const worker = async () => {
      while (next < users.length) {
        const [userId, group] = users[next++] as [string, UserGroup];
        try {
          const result = await applyUserEffects(userId, group.effects, deps.store);
          applied += result.applied;
          alreadyApplied += result.alreadyApplied;
        } catch (error) {
          logger.error('statistics not applied: records reported as failed', { userId, error });
          for (const sequenceNumber of group.sequenceNumbers) failed.add(sequenceNumber);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.userConcurrency ?? 8, users.length) }, worker));

    metrics.addMetric(METRIC.statsApplied, MetricUnit.Count, applied);
    metrics.addMetric(METRIC.statsAlreadyApplied, MetricUnit.Count, alreadyApplied);
    metrics.addMetric(METRIC.statsFailed, MetricUnit.Count, failed.size);
    metrics.publishStoredMetrics();
    logger.info('stream batch processed', {
      records: event.Records.length,
      applied,
      alreadyApplied,
      failed: failed.size,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let configured: ReturnType<typeof createStatsHandler> | undefined;

/** Lambda entry point. */
export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  configured ??= createStatsHandler({
    store: new DynamoProjectionStore(documentClient(), statisticsConfig().statsTableName),
  });
  return configured(event, context);
};
