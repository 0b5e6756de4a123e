import { type Environment, requiredTables, seconds } from '../shared/config.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../shared/erased-users.ts';
import type { TableNames } from '../shared/tables.ts';

/** Settings of the statistics function, from its environment. */
export interface StatisticsConfig {
  readonly tables: Pick<TableNames, 'stats'>;
  /** Seconds the set of erased users is used before the erasure log is asked again. */
  readonly erasureCacheSeconds: number;
}

/** Reads the statistics function's settings; throws a `ConfigurationError` naming what is missing. */
export function statisticsConfig(env: Environment = process.env): StatisticsConfig {
  return {
    tables: requiredTables(env, 'stats'),
    erasureCacheSeconds: seconds(env, 'ERASURE_CACHE_SECONDS', DEFAULT_ERASURE_CACHE_SECONDS),
  };
}
