import {
  DEFAULT_EVENT_SOURCE,
  DEFAULT_FLAG_CACHE_SECONDS,
  DEFAULT_FLAG_PARAMETER_NAME,
} from './contract/defaults.ts';
import { ConfigurationError } from './errors.ts';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value)
    throw new ConfigurationError(
      `environment variable ${name} is not set: the stack must pass it to the function`,
    );
  return value;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`${name} must be a number of seconds ≥ 0, got "${raw}"`);
  return value;
}

/** Settings of the recording function, from its environment. */
export interface RecordingConfig {
  readonly activityTableName: string;
  readonly deadLetterTableName: string;
  /** Holds the erasure log the recording function reads (and nothing else of it). */
  readonly statsTableName: string;
  readonly flagParameterName: string;
  readonly flagCacheSeconds: number;
  readonly eventSource: string;
}

/** Reads the recording function's settings; throws a `ConfigurationError` naming what is missing. */
export function recordingConfig(env: NodeJS.ProcessEnv = process.env): RecordingConfig {
  return {
    activityTableName: required(env, 'ACTIVITY_TABLE_NAME'),
    deadLetterTableName: required(env, 'DEAD_LETTER_TABLE_NAME'),
    statsTableName: required(env, 'STATS_TABLE_NAME'),
    flagParameterName: env.FLAG_PARAMETER_NAME || DEFAULT_FLAG_PARAMETER_NAME,
    flagCacheSeconds: seconds(env, 'FLAG_CACHE_SECONDS', DEFAULT_FLAG_CACHE_SECONDS),
    eventSource: env.EVENT_SOURCE || DEFAULT_EVENT_SOURCE,
  };
}

/** Settings of the statistics function, from its environment. */
export interface StatisticsConfig {
  readonly statsTableName: string;
  /** Seconds the set of erased users is cached (the same period as the flag's). */
  readonly erasureCacheSeconds: number;
}

/** Reads the statistics function's settings. */
export function statisticsConfig(env: NodeJS.ProcessEnv = process.env): StatisticsConfig {
  return {
    statsTableName: required(env, 'STATS_TABLE_NAME'),
    erasureCacheSeconds: seconds(env, 'FLAG_CACHE_SECONDS', DEFAULT_FLAG_CACHE_SECONDS),
  };
}

/** Settings of the profile read function. */
export interface ReadApiConfig {
  readonly activityTableName: string;
  readonly statsTableName: string;
  /** HMAC key of the feed cursors (from the stack's generated secret). */
  readonly feedCursorKey: string;
  /** JWT claim holding the caller's user id (JWT mode). */
  readonly userIdClaim: string;
}

/** Reads the read function's settings. */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ReadApiConfig {
  return {
    activityTableName: required(env, 'ACTIVITY_TABLE_NAME'),
    statsTableName: required(env, 'STATS_TABLE_NAME'),
    feedCursorKey: required(env, 'FEED_CURSOR_KEY'),
    userIdClaim: env.USER_ID_CLAIM || 'sub',
  };
}

/** Settings of the function behind `DELETE /users/{userId}`. */
export interface ErasureRequestConfig {
  readonly statsTableName: string;
  /** FIFO queue the erasure worker reads. */
  readonly erasureQueueUrl: string;
}

/** Reads the erase-request function's settings. */
export function erasureRequestConfig(env: NodeJS.ProcessEnv = process.env): ErasureRequestConfig {
  return {
    statsTableName: required(env, 'STATS_TABLE_NAME'),
    erasureQueueUrl: required(env, 'ERASURE_QUEUE_URL'),
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

/** Reads the erasure worker's settings. */
export function erasureWorkerConfig(env: NodeJS.ProcessEnv = process.env): ErasureWorkerConfig {
  required(env, 'ERASURE_SETTLE_SECONDS');
  return {
    activityTableName: required(env, 'ACTIVITY_TABLE_NAME'),
    statsTableName: required(env, 'STATS_TABLE_NAME'),
    deadLetterTableName: required(env, 'DEAD_LETTER_TABLE_NAME'),
    settleSeconds: seconds(env, 'ERASURE_SETTLE_SECONDS', Number.NaN),
  };
}
