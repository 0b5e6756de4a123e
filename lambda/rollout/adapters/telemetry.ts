import { logger } from '../../shared/aws/logger.ts';
import type { RollbackOutcome } from '../application/rollback.ts';
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

/**
 * What the rollback function did with one event: a warning when it rolled back, paged or left a
 * forced raise alone (someone should look), information when there was nothing to do.
 */
export function rollbackReported(result: RollbackOutcome & { readonly source: string }): void {
  const log = result.action === 'ignored' ? logger.info : logger.warn;
  log.call(logger, result.message, {
    source: result.source,
    action: result.action,
    flag: result.flag,
    previous: result.previous,
    firing: result.firing,
  });
}
