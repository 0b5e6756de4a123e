import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { EraseProgress, EraseReport } from '../../erasure/application/erase-user.ts';
import { logger, metrics } from '../../shared/aws/powertools.ts';
import type { FlagSetting } from '../../shared/contract/flag.ts';
import { METRIC } from '../../shared/observability.ts';
import type { BatchResult, ProjectionObserver } from '../../statistics/application/project-stats.ts';
import type { RecordOutcome } from '../application/record-event.ts';

/**
 * What the handlers say about their work, in logs and metrics, in one place: the handlers call
 * these and never touch the logger or the metrics themselves.
 */

/** What one recording invocation did, in counts (also what the local stack prints). */
export type RecordSummary =
  | {
      status: 'invalid';
      eventId?: string | undefined;
      deadLetterId: string;
      reasons: readonly string[];
      /** Not stored: every user the event names is erased. */
      erasedOnly?: boolean;
    }
  | {
      status: 'processed';
      eventId: string;
      detailType: string;
      idempotencyKey: string;
      recorded: number;
      duplicates: number;
      conflicts: number;
      skipped: number;
      /** Users skipped because they are erased (not counted in `skipped`). */
      erased: number;
      flag: string;
    };

/**
 * Runs one invocation with the Lambda context and `keys` in every log line; logs a failure before
 * it propagates, and flushes the metrics and the keys whatever happens.
 */
export async function observeInvocation<T>(
  context: Context | undefined,
  keys: Record<string, unknown>,
  failureMessage: string,
  work: () => Promise<T>,
): Promise<T> {
  if (context) logger.addContext(context);
  logger.appendKeys(keys);
  try {
    return await work();
  } catch (error) {
    logger.error(failureMessage, { error });
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}

/** The erasure log could not be read and the last known set of erased users is used. */
export function erasureLogStaleObserved(error: unknown): void {
  metrics.addMetric(METRIC.flagStale, MetricUnit.Count, 1);
  logger.warn('erasure log unreachable: using the last known set of erased users', { error });
}

/** The flag could not be read and its last known value is used. */
export function flagStaleObserved(error: unknown, lastKnown: FlagSetting): void {
  metrics.addMetric(METRIC.flagStale, MetricUnit.Count, 1);
  logger.warn('SSM unreachable: using the last known flag value', { error, flagValue: lastKnown.raw });
}

function reportInvalid(outcome: Extract<RecordOutcome, { status: 'invalid' }>): RecordSummary {
  metrics.addMetric(METRIC.invalid, MetricUnit.Count, 1);
  if (outcome.erasedOnly) metrics.addMetric(METRIC.skippedErased, MetricUnit.Count, 1);
  logger.warn(
    outcome.erasedOnly
      ? 'event rejected; not stored as a dead letter: every user it names is erased'
      : 'event rejected and stored as a dead letter',
    { deadLetterId: outcome.deadLetterId, reasons: outcome.reasons },
  );
  const { eventId, deadLetterId, reasons } = outcome;
  return {
    status: 'invalid',
    eventId,
    deadLetterId,
    reasons,
    ...(outcome.erasedOnly ? { erasedOnly: true } : {}),
  };
}

/** Logs and counts what recording one event did, and sums it up. */
export function reportRecordOutcome(outcome: RecordOutcome): RecordSummary {
  if (outcome.status === 'invalid') return reportInvalid(outcome);
  const { event, flag, recorded, duplicates, conflicts, skipped, erased } = outcome;
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
      { userId: conflict.userId, storedHash: conflict.storedHash, incomingHash: conflict.incomingHash },
    );
  metrics.addMetric(METRIC.recorded, MetricUnit.Count, recorded.length);
  metrics.addMetric(METRIC.duplicate, MetricUnit.Count, duplicates.length);
  metrics.addMetric(METRIC.conflict, MetricUnit.Count, conflicts.length);
  metrics.addMetric(METRIC.skipped, MetricUnit.Count, skipped.length);
  metrics.addMetric(METRIC.skippedErased, MetricUnit.Count, erased.length);
  // Erased users' ids are not logged: the count is enough to see that replays are being skipped.
  logger.info('event processed', {
    replayName: event.replayName,
    recorded,
    duplicates,
    conflicts: conflicts.map((c) => c.userId),
    skipped: skipped.length,
    erased: erased.length,
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
    erased: erased.length,
    flag: flag.raw,
  };
}

/** Logs the statistics projector's failures, record by record and user by user. */
export const projectionObserver: ProjectionObserver = {
  unreadable(sequenceNumber, error) {
    logger.error('unreadable stream record: reported as failed', { sequenceNumber, error });
  },
  userFailed(userId, error) {
    logger.error('statistics not applied: records reported as failed', { userId, error });
  },
};

/** Logs and counts what one stream batch did. */
export function reportStatsBatch(records: number, result: BatchResult): void {
  const { applied, alreadyApplied, failed, skippedErased } = result;
  metrics.addMetric(METRIC.statsApplied, MetricUnit.Count, applied);
  metrics.addMetric(METRIC.statsAlreadyApplied, MetricUnit.Count, alreadyApplied);
  metrics.addMetric(METRIC.statsFailed, MetricUnit.Count, failed.length);
  metrics.addMetric(METRIC.statsSkippedErased, MetricUnit.Count, skippedErased);
  logger.info('stream batch processed', {
    records,
    applied,
    alreadyApplied,
    failed: failed.length,
    skippedErased,
  });
}

/** What the erasure worker says about each queued request. */
export const erasureObserver = {
  /** Retrying cannot make it valid: it is dropped. */
  invalidRequest(messageId: string): void {
    logger.error('erasure request without a valid user id dropped', { messageId });
  },
  progress(userId: string, progress: EraseProgress): void {
    if (progress.phase === 'waiting' || progress.phase === 'done')
      logger.info('erasure progress', { userId, phase: progress.phase, removed: progress.removed });
  },
  erased(report: EraseReport): void {
    const { userId, resumed, removed } = report;
    logger.info('user erased', { userId, resumed, removed });
  },
  stopped(userId: string, error: unknown): void {
    logger.error('erasure stopped; SQS delivers it again and it resumes', { userId, error });
  },
};
