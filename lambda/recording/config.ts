import { type Environment, optionalString, requiredTables, seconds } from '../shared/config.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../shared/contract/defaults.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../shared/erased-users.ts';
import type { TableNames } from '../shared/tables.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from './constants.ts';

/** Settings of the recording function, from its environment. */
export interface RecordingConfig {
  /** Activities and dead letters are written; `stats` holds the erasure log, which is all it reads of it. */
  readonly tables: Pick<TableNames, 'activities' | 'deadLetters' | 'stats'>;
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
    tables: requiredTables(env, 'activities', 'deadLetters', 'stats'),
    flagParameterName: optionalString(env, 'FLAG_PARAMETER_NAME', DEFAULT_FLAG_PARAMETER_NAME),
    flagCacheSeconds: seconds(env, 'FLAG_CACHE_SECONDS', DEFAULT_FLAG_CACHE_SECONDS),
    erasureCacheSeconds: seconds(env, 'ERASURE_CACHE_SECONDS', DEFAULT_ERASURE_CACHE_SECONDS),
    eventSource: optionalString(env, 'EVENT_SOURCE', DEFAULT_EVENT_SOURCE),
  };
}
