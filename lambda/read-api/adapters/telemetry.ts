import { logger } from '../../shared/aws/logger.ts';
import type { ApiRequest } from '../application/serve-routes.ts';

/** What the read API says about its work: only its failures (answers are the gateway's access log). */

/** A read failed unexpectedly; the caller got a 500 and retries. */
export function readFailed(error: unknown, request: ApiRequest): void {
  logger.error('profile read failed', { error: error as Error, routeKey: request.routeKey });
}
