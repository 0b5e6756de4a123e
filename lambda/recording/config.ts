import { type Environment, optionalString, requiredString, seconds } from '../shared/config.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../shared/contract/defaults.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../shared/erased-users.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from './constants.ts';

/** Settings of the recording function, from its environment. */
export interface RecordingConfig {
  readonly activityTableName: string;
  readonly deadLetterTableName: string;
  /** Holds the erasure log the recording function reads (and nothing else of it). */
  readonly statsTableName: string;
  readonly flagParameterName: string;
  /** Seconds a flag value is used before SSM is asked again. */
  readonly flagCacheSeconds: number;
  /** Seconds the set of erased users is used before the erasure log is asked again. */
  readonly erasureCacheSeconds: number;
  readonly eventSource: string;
}

/** Reads the recording function's settings; throws a `ConfigurationError` naming what is missing. */
export function recordingConfig(env: Environment = process.env): RecordingConfig {
  return {
    activityTableName: requiredString(env, 'ACTIVITY_TABLE_NAME'),
    deadLetterTableName: requiredString(env, 'DEAD_LETTER_TABLE_NAME'),
    statsTableName: requiredString(env, 'STATS_TABLE_NAME'),
    flagParameterName: optionalString(env, 'FLAG_PARAMETER_NAME', DEFAULT_FLAG_PARAMETER_NAME),
    flagCacheSeconds: seconds(env, 'FLAG_CACHE_SECONDS', DEFAULT_FLAG_CACHE_SECONDS),
    erasureCacheSeconds: seconds(env, 'ERASURE_CACHE_SECONDS', DEFAULT_ERASURE_CACHE_SECONDS),
    eventSource: optionalString(env, 'EVENT_SOURCE', DEFAULT_EVENT_SOURCE),
  };
}
