import type { Context } from 'aws-lambda';
import { METRIC } from '../observability.ts';
import { logger } from './logger.ts';
import { count, metrics } from './metrics.ts';

/**
 * What several functions say the same way: an invocation's frame (context and keys in every log
 * line, a failure logged before it propagates, metrics flushed whatever happens), and the erasure
 * log's staleness. Each feature's own telemetry (`lambda/<feature>/adapters/telemetry.ts`) says the
 * rest; handlers call these and never touch the logger or the metrics themselves.
 */

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
  count(METRIC.erasureLogStale);
  logger.warn('erasure log unreachable: using the last known set of erased users', { error });
}
