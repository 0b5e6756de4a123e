import { logger } from '../../shared/aws/logger.ts';
import type { RolloutStepOutput } from '../application/rollout.ts';

/** What the rollout functions say about their work: each step's outcome and each rollback. */

/** One step's outcome: a warning when it rolled back or stopped the rollout, otherwise information. */
export function stepReported(executionArn: string, output: RolloutStepOutput): void {
  logger.appendKeys({ executionArn });
  const log = output.status === 'rolled_back' || output.status === 'stopped' ? logger.warn : logger.info;
  log.call(logger, `rollout ${output.status}`, {
    percentage: output.percentage,
    flag: output.flag,
    nextRaiseAt: output.nextRaiseAt,
    stopCondition: output.stopCondition,
    cause: output.cause,
    waitReason: output.waitReason,
    continueAsNew: output.continueAsNew,
  });
}

/** An alarm state change that does not roll the flag back (not a rollback alarm, or not ALARM). */
export function rollbackSkipped(message: string): void {
  logger.info(message);
}

/** The flag was rolled back (or found off already). */
export function rolledBack(message: string, alarm: string, previous: string | undefined): void {
  logger.warn(message, { alarm, previous });
}
