import {
  type Environment,
  optionalString,
  requiredString,
  requiredTables,
  seconds,
} from '../shared/config.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../shared/erased-users.ts';
import type { TableNames } from '../shared/tables.ts';

/** Settings of the profile read function, from its environment. */
export interface ReadApiConfig {
  readonly tables: Pick<TableNames, 'activities' | 'stats'>;
  /** HMAC key of the feed cursors (from the stack's generated secret). */
  readonly feedCursorKey: string;
  /** JWT claim holding the caller's user id (JWT mode). */
  readonly userIdClaim: string;
  /** Seconds the set of erased users is used before the erasure log is asked again. */
  readonly erasureCacheSeconds: number;
}

/** Reads the read function's settings; throws a `ConfigurationError` naming what is missing. */
export function readApiConfig(env: Environment = process.env): ReadApiConfig {
  return {
    tables: requiredTables(env, 'activities', 'stats'),
    feedCursorKey: requiredString(env, 'FEED_CURSOR_KEY'),
    userIdClaim: optionalString(env, 'USER_ID_CLAIM', 'sub'),
    erasureCacheSeconds: seconds(env, 'ERASURE_CACHE_SECONDS', DEFAULT_ERASURE_CACHE_SECONDS),
  };
}
