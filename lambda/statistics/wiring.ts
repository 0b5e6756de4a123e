import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { DynamoErasureLog } from '../shared/aws/erasure-log.ts';
import { erasureLogStaleObserved } from '../shared/aws/telemetry.ts';
import { CachedErasedUsers, type ErasedUsers } from '../shared/erased-users.ts';
import type { TableNames } from '../shared/tables.ts';
import { DynamoProjectionStore } from './adapters/stats-store.ts';
import type { ProjectionStore } from './application/ports.ts';
import { statisticsConfig } from './config.ts';

/**
 * The statistics projector, wired one way for the deployed function, the local stack, the bench
 * and the tests: from the function's environment, or from options that name the client and table.
 */

/** What the statistics handler needs. */
export interface StatsDependencies {
  readonly store: ProjectionStore;
  /** Users applied at once; a user's own activities are always applied together, in one write. @default 8 */
  readonly userConcurrency?: number;
  /** Erased users: their activities are acknowledged and nothing is written. @default none */
  readonly erased?: ErasedUsers;
}

/** Where the projector keeps its state, and how long it trusts its set of erased users. */
export interface StatisticsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tables: Pick<TableNames, 'stats'>;
  /** Seconds the set of erased users is used before the log is asked again. */
  readonly erasureCacheSeconds: number;
  /** Told when the log could not be read and the last known set is used. @default nothing */
  readonly onErasureLogStale?: (error: unknown) => void;
}

/** The projector's dependencies from options: its store and the erased users, over one client. */
export function statisticsDependencies(options: StatisticsOptions): StatsDependencies {
  const { client, tables } = options;
  return {
    store: new DynamoProjectionStore(client, tables.stats),
    erased: new CachedErasedUsers(new DynamoErasureLog(client, tables.stats), {
      cacheSeconds: options.erasureCacheSeconds,
      ...(options.onErasureLogStale ? { onStale: options.onErasureLogStale } : {}),
    }),
  };
}

/** Dependencies of the deployed function, from its environment; clients live for the container. */
export function statisticsDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): StatsDependencies {
  const config = statisticsConfig(env);
  return statisticsDependencies({
    client: documentClient(),
    tables: config.tables,
    erasureCacheSeconds: config.erasureCacheSeconds,
    onErasureLogStale: erasureLogStaleObserved,
  });
}
