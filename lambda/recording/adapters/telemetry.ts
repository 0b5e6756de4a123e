import { logger } from '../../shared/aws/logger.ts';
import { count } from '../../shared/aws/metrics.ts';
import { FLAG_VALUES, type FlagSetting } from '../../shared/contract/flag.ts';
import { METRIC } from '../../shared/observability.ts';
import type { RecordOutcome } from '../application/record-event.ts';

/**
 * What recording says about its work, in logs and metrics: the handler calls these and never
 * touches the logger or the metrics itself (the invocation's frame is lambda/shared/aws/telemetry.ts).
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
 * An event with at least one user the flag includes is about to be written: `IncludedEvents`, the
 * denominator of the integration error rate and of a rollout step's traffic gate.
 */
export function includedEventObserved(): void {
  count(METRIC.included);
}

/** The flag could not be read and its last known value is used. */
export function flagStaleObserved(error: unknown, lastKnown: FlagSetting): void {
  count(METRIC.flagStale);
  logger.warn('SSM unreachable: using the last known flag value', { error, flagValue: lastKnown.raw });
}

function reportInvalid(outcome: Extract<RecordOutcome, { status: 'invalid' }>): RecordSummary {
  count(METRIC.invalid);
  if (outcome.erasedOnly) count(METRIC.skippedErased);
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
    count(METRIC.flagMisconfigured);
    logger.warn(`the flag value is not one of ${FLAG_VALUES}: treated as off`, {
      flagValue: flag.raw,
    });
  }
  for (const conflict of conflicts)
    logger.error(
      'idempotency conflict: the key was already recorded with a different payload; nothing overwritten',
      { userId: conflict.userId, storedHash: conflict.storedHash, incomingHash: conflict.incomingHash },
    );
  count(METRIC.recorded, recorded.length);
  count(METRIC.duplicate, duplicates.length);
  count(METRIC.conflict, conflicts.length);
  count(METRIC.skipped, skipped.length);
  count(METRIC.skippedErased, erased.length);
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
