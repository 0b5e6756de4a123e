import type { ApiRequest } from '../../read-api/index.ts';
import { logger } from '../../shared/aws/logger.ts';
import type { EraseProgress, EraseReport } from '../application/erase-user.ts';

/** What erasure says about its work: the request route's failures and each queued erasure's course. */

/** A `DELETE /users/{userId}` failed unexpectedly; the caller got a 500 and sends it again. */
export function erasureRequestFailed(error: unknown, request: ApiRequest): void {
  logger.error('erasure request failed', { error: error as Error, routeKey: request.routeKey });
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
