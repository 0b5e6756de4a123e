import { type Environment, requiredString, requiredTables, seconds } from '../shared/config.ts';
import type { TableNames } from '../shared/tables.ts';

/** Settings of the function behind `DELETE /users/{userId}`. */
export interface ErasureRequestConfig {
  /** Holds the erasure records the route reads. */
  readonly tables: Pick<TableNames, 'stats'>;
  /** FIFO queue the erasure worker reads. */
  readonly erasureQueueUrl: string;
}

/** Reads the erase-request function's settings; throws a `ConfigurationError` naming what is missing. */
export function erasureRequestConfig(env: Environment = process.env): ErasureRequestConfig {
  return {
    tables: requiredTables(env, 'stats'),
    erasureQueueUrl: requiredString(env, 'ERASURE_QUEUE_URL'),
  };
}

/** Settings of the erasure worker. */
export interface ErasureWorkerConfig {
  readonly tables: TableNames;
  /** Seconds between writing the erasure record and deleting (the stack's ErasureSettleSeconds). */
  readonly settleSeconds: number;
}

/** Reads the erasure worker's settings; throws a `ConfigurationError` naming what is missing. */
export function erasureWorkerConfig(env: Environment = process.env): ErasureWorkerConfig {
  requiredString(env, 'ERASURE_SETTLE_SECONDS');
  return {
    tables: requiredTables(env, 'activities', 'stats', 'deadLetters'),
    settleSeconds: seconds(env, 'ERASURE_SETTLE_SECONDS', Number.NaN),
  };
}
