import { type Environment, optionalString, requiredString, seconds } from '../shared/config.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../shared/erased-users.ts';

/** Settings of the profile read function, from its environment. */
export interface ReadApiConfig {
  readonly activityTableName: string;
  readonly statsTableName: string;
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
    activityTableName: requiredString(env, 'ACTIVITY_TABLE_NAME'),
    statsTableName: requiredString(env, 'STATS_TABLE_NAME'),
    feedCursorKey: requiredString(env, 'FEED_CURSOR_KEY'),
    userIdClaim: optionalString(env, 'USER_ID_CLAIM', 'sub'),
    erasureCacheSeconds: seconds(env, 'ERASURE_CACHE_SECONDS', DEFAULT_ERASURE_CACHE_SECONDS),
  };
}
