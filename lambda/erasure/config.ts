import { type Environment, requiredString, seconds } from '../shared/config.ts';

/** Settings of the function behind `DELETE /users/{userId}`. */
export interface ErasureRequestConfig {
  readonly statsTableName: string;
  /** FIFO queue the erasure worker reads. */
  readonly erasureQueueUrl: string;
}

/** Reads the erase-request function's settings; throws a `ConfigurationError` naming what is missing. */
export function erasureRequestConfig(env: Environment = process.env): ErasureRequestConfig {
  return {
    statsTableName: requiredString(env, 'STATS_TABLE_NAME'),
    erasureQueueUrl: requiredString(env, 'ERASURE_QUEUE_URL'),
  };
}

/** Settings of the erasure worker. */
export interface ErasureWorkerConfig {
  readonly activityTableName: string;
  readonly statsTableName: string;
  readonly deadLetterTableName: string;
  /** Seconds between writing the erasure record and deleting (the stack's ErasureSettleSeconds). */
  readonly settleSeconds: number;
}

/** Reads the erasure worker's settings; throws a `ConfigurationError` naming what is missing. */
export function erasureWorkerConfig(env: Environment = process.env): ErasureWorkerConfig {
  requiredString(env, 'ERASURE_SETTLE_SECONDS');
  return {
    activityTableName: requiredString(env, 'ACTIVITY_TABLE_NAME'),
    statsTableName: requiredString(env, 'STATS_TABLE_NAME'),
    deadLetterTableName: requiredString(env, 'DEAD_LETTER_TABLE_NAME'),
    settleSeconds: seconds(env, 'ERASURE_SETTLE_SECONDS', Number.NaN),
  };
}
