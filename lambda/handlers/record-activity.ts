import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoActivityWriter } from '../adapters/activity-store.ts';
import { documentClient } from '../adapters/clients.ts';
import { recordingConfig } from '../adapters/config.ts';
import { DynamoDeadLetterWriter } from '../adapters/dead-letter-store.ts';
import { SsmFlagReader } from '../adapters/flag-reader.ts';
import { logger, METRIC, metrics } from '../adapters/observability.ts';
import { ssmClient } from '../adapters/ssm-client.ts';
import { type RecordDependencies, type RecordOutcome, recordEvent } from '../application/record-event.ts';

/** What one invocation did, in counts (also what the local stack prints). */
export type RecordSummary =
  | { status: 'invalid'; eventId?: string | undefined; deadLetterId: string; reasons: readonly string[] }
  | {
      status: 'processed';
      eventId: string;
      detailType: string;
      idempotencyKey: string;
      recorded: number;
      duplicates: number;
      conflicts: number;
      skipped: number;
      flag: string;
    };

function report(outcome: RecordOutcome): RecordSummary {
  if (outcome.status === 'invalid') {
    metrics.addMetric(METRIC.invalid, MetricUnit.Count, 1);
    logger.warn('event rejected and stored as a dead letter', {
      deadLetterId: outcome.deadLetterId,
      reasons: outcome.reasons,
    });
    return {
      status: 'invalid',
      eventId: outcome.eventId,
      deadLetterId: outcome.deadLetterId,
      reasons: outcome.reasons,
    };
  }
  const { event, flag, recorded, duplicates, conflicts, skipped } = outcome;
  logger.appendKeys({ idempotencyKey: event.idempotencyKey, detailType: event.detailType });
  if (flag.mode === 'off' && flag.misconfigured) {
    metrics.addMetric(METRIC.flagMisconfigured, MetricUnit.Count, 1);
    logger.warn('the flag value is not one of off/on/false/true/0-100: treated as off', {
      flagValue: flag.raw,
    });
  }
  for (const conflict of conflicts)
    logger.error(
      'idempotency conflict: the key was already recorded with a different payload; nothing overwritten',
      {
        userId: conflict.userId,
        storedHash: conflict.storedHash,
        incomingHash: conflict.incomingHash,
      },
    );
  metrics.addMetric(METRIC.recorded, MetricUnit.Count, recorded.length);
  metrics.addMetric(METRIC.duplicate, MetricUnit.Count, duplicates.length);
  metrics.addMetric(METRIC.conflict, MetricUnit.Count, conflicts.length);
  metrics.addMetric(METRIC.skipped, MetricUnit.Count, skipped.length);
  logger.info('event processed', {
    replayName: event.replayName,
    recorded,
    duplicates,
    conflicts: conflicts.map((c) => c.userId),
    skipped: skipped.length,
  });
  return {
    status: 'processed',
    eventId: event.eventId,
    detailType: event.detailType,
    idempotencyKey: event.idempotencyKey,
    recorded: recorded.length,
    duplicates: duplicates.length,
    conflicts: conflicts.length,
    skipped: skipped.length,
    flag: flag.raw,
  };
}

/**
 * The EventBridge target handler: records one event. It returns normally for a recorded or an
 * invalid (dead-lettered) event, and throws when the event must be retried.
 */
export function createRecordHandler(deps: RecordDependencies) {
  return async (event: unknown, context?: Context): Promise<RecordSummary> => {
    if (context) logger.addContext(context);
    const eventId = (event as { id?: unknown } | null)?.id;
    logger.appendKeys({ eventId: typeof eventId === 'string' ? eventId : undefined });
    try {
      return report(await recordEvent(event, deps));
    } catch (error) {
      logger.error('event not recorded; it will be retried', { error });
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}

/** Dependencies of the deployed function, from its environment; clients live for the container. */
export function recordDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): RecordDependencies {
  const config = recordingConfig(env);
  const client = documentClient();
  return {
    activities: new DynamoActivityWriter(client, config.activityTableName),
    deadLetters: new DynamoDeadLetterWriter(client, config.deadLetterTableName),
    flag: new SsmFlagReader(ssmClient(), {
      parameterName: config.flagParameterName,
      cacheSeconds: config.flagCacheSeconds,
      onStale: (error, lastKnown) => {
        metrics.addMetric(METRIC.flagStale, MetricUnit.Count, 1);
        logger.warn('SSM unreachable: using the last known flag value', { error, flagValue: lastKnown.raw });
      },
    }),
    eventSource: config.eventSource,
  };
}

let configured: ReturnType<typeof createRecordHandler> | undefined;

/** Lambda entry point. */
export const handler = (event: unknown, context: Context): Promise<RecordSummary> => {
  configured ??= createRecordHandler(recordDependenciesFromEnv());
  return configured(event, context);
};
