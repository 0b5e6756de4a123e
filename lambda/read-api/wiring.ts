import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { erasureAwareProfileStore, type ProfileTables } from './adapters/profile-store.ts';
import { readFailed } from './adapters/telemetry.ts';
import { FeedCursors } from './application/feed-cursor.ts';
import type { ProfileApiDependencies } from './application/read-routes.ts';
import type { ApiRequest } from './application/serve-routes.ts';
import { readApiConfig } from './config.ts';

/**
 * The read API, wired one way for the deployed function, the local stack and the tests: from the
 * function's environment, or from options that name the client, tables and cursor key.
 */

/** Where the read API reads, how it signs cursors and whom it lets read what. */
export interface ReadApiOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tables: ProfileTables;
  /** HMAC key of the feed cursors: at least 32 bytes. */
  readonly cursorKey: string | Buffer;
  /** JWT claim that holds the caller's user id. @default "sub" */
  readonly userIdClaim?: string | undefined;
  /** Seconds the set of erased users is used before the erasure log is asked again. */
  readonly erasureCacheSeconds: number;
  /** Told of unexpected failures before the 500 answer. @default nothing */
  readonly onError?: ((error: unknown, request: ApiRequest) => void) | undefined;
}

/** The read API's dependencies from options: the erasure-aware store and the cursors. */
export function readApiDependencies(options: ReadApiOptions): ProfileApiDependencies {
  return {
    store: erasureAwareProfileStore(options.client, options.tables, options.erasureCacheSeconds),
    cursors: new FeedCursors(options.cursorKey),
    ...(options.userIdClaim ? { userIdClaim: options.userIdClaim } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  };
}

/** The deployed function's dependencies: tables, cursor key and claim from the environment. */
export function readApiDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): ProfileApiDependencies {
  const config = readApiConfig(env);
  return readApiDependencies({
    client: documentClient(),
    tables: config.tables,
    cursorKey: config.feedCursorKey,
    userIdClaim: config.userIdClaim,
    erasureCacheSeconds: config.erasureCacheSeconds,
    onError: readFailed,
  });
}
