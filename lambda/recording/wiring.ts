import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeadLetterWriter } from '../shared/aws/dead-letters.ts';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { DynamoErasureLog } from '../shared/aws/erasure-log.ts';
import { erasureLogStaleObserved } from '../shared/aws/telemetry.ts';
import { DEFAULT_EVENT_SOURCE } from '../shared/contract/defaults.ts';
import { CachedErasedUsers, type ErasedUsers } from '../shared/erased-users.ts';
import type { TableNames } from '../shared/tables.ts';
import { DynamoActivityWriter } from './adapters/activity-store.ts';
import { SsmFlagReader } from './adapters/flag-reader.ts';
import { flagStaleObserved, includedEventObserved } from './adapters/telemetry.ts';
import type { ActivityWriter, FlagReader } from './application/ports.ts';
import type { RecordDependencies } from './application/record-event.ts';
import { recordingConfig } from './config.ts';

/**
 * Recording, wired one way for the deployed function, the local stack, the bench and the tests:
 * from the function's environment, or from options that name the clients, tables and flag.
 */

/** Where recording writes and what it reads its flag from. */
export interface RecordingOptions {
  /** The DynamoDB document client the writers share. */
  readonly client: DynamoDBDocumentClient;
  readonly tables: Pick<TableNames, 'activities' | 'deadLetters'>;
  readonly flag: FlagReader;
  /** Erased users, skipped before the flag is asked about them. @default none */
  readonly erased?: ErasedUsers | undefined;
  /** The only accepted EventBridge `source`. @default 'tournaments' */
  readonly eventSource?: string;
  /** Puts in flight at once for one event. @default recording's own (32) */
  readonly writeConcurrency?: number;
  /** Wraps the activity writer (fault injection in the local stack and the tests). @default none */
  readonly wrapActivities?: ((writer: ActivityWriter) => ActivityWriter) | undefined;
  /** Told of each included event besides the `IncludedEvents` metric (the local stack's metric store). */
  readonly onIncluded?: (() => void) | undefined;
}

/** Recording's dependencies from options: the activity and dead-letter writers over one client. */
export function recordingDependencies(options: RecordingOptions): RecordDependencies {
  const activities = new DynamoActivityWriter(options.client, options.tables.activities);
  return {
    activities: options.wrapActivities ? options.wrapActivities(activities) : activities,
    deadLetters: new DynamoDeadLetterWriter(options.client, options.tables.deadLetters),
    flag: options.flag,
    erased: options.erased,
    eventSource: options.eventSource ?? DEFAULT_EVENT_SOURCE,
    writeConcurrency: options.writeConcurrency,
    onIncluded: () => {
      includedEventObserved();
      options.onIncluded?.();
    },
  };
}

/** Dependencies of the deployed function, from its environment; clients live for the container. */
export function recordingDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): RecordDependencies {
  const config = recordingConfig(env);
  const client = documentClient();
  return recordingDependencies({
    client,
    tables: config.tables,
    flag: new SsmFlagReader({
      parameterName: config.flagParameterName,
      extension: config.flagExtension,
      cacheSeconds: config.flagCacheSeconds,
      onStale: flagStaleObserved,
    }),
    erased: new CachedErasedUsers(new DynamoErasureLog(client, config.tables.stats), {
      cacheSeconds: config.erasureCacheSeconds,
      onStale: erasureLogStaleObserved,
    }),
    eventSource: config.eventSource,
  });
}
