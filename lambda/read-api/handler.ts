import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

import { documentClient } from '../shared/aws/dynamodb.ts';
import { DynamoErasureLog } from '../shared/aws/erasure-log.ts';
import { readApiConfig } from '../shared/config.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from '../shared/contract/defaults.ts';
import { CachedErasedUsers } from '../shared/erased-users.ts';
import { DynamoProfileStore } from './adapters/profile-store.ts';
import { ErasureAwareProfileStore } from './application/erasure-aware-store.ts';
import { FeedCursors } from './application/feed-cursor.ts';
import {
  type ApiRequest,
  type ApiResponse,
  type Caller,
  createProfileApi,
  type ProfileApiDependencies,
} from './application/profile-api.ts';

/**
 * The event API Gateway (HTTP API, payload format 2.0) sends: the JWT authorizer's claims under
 * `authorizer.jwt`, the IAM caller under `authorizer.iam`.
 */
export type ReadEvent = APIGatewayProxyEventV2 & {
  readonly requestContext: APIGatewayProxyEventV2['requestContext'] & {
    readonly authorizer?: {
      readonly jwt?: { readonly claims: Record<string, unknown>; readonly scopes?: string[] | null };
      readonly iam?: Record<string, unknown>;
    };
  };
};

function callerOf(event: ReadEvent): Caller {
  const jwt = event.requestContext.authorizer?.jwt;
  return jwt ? { kind: 'jwt', claims: jwt.claims } : { kind: 'iam' };
}

function lowerCased(headers: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** The gateway event as the API's request. */
export function requestOf(event: ReadEvent): ApiRequest {
  return {
    routeKey: event.routeKey,
    method: event.requestContext.http.method,
    path: event.rawPath,
    pathParameters: event.pathParameters ?? {},
    query: event.queryStringParameters ?? {},
    headers: lowerCased(event.headers),
    caller: callerOf(event),
  };
}

/** The read handler around an API (the local stack builds it with its own store and key). */
export function createReadHandler(api: (request: ApiRequest) => Promise<ApiResponse>) {
  return async (event: ReadEvent): Promise<APIGatewayProxyStructuredResultV2> => {
    const response = await api(requestOf(event));
    return { statusCode: response.statusCode, headers: { ...response.headers }, body: response.body };
  };
}

/** The deployed function's dependencies: tables, cursor key and claim from the environment. */
export function readDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): ProfileApiDependencies {
  const config = readApiConfig(env);
  const logger = new Logger();
  const client = documentClient();
  return {
    store: new ErasureAwareProfileStore(
      new DynamoProfileStore(client, {
        activityTable: config.activityTableName,
        statsTable: config.statsTableName,
      }),
      new CachedErasedUsers(new DynamoErasureLog(client, config.statsTableName), {
        cacheSeconds: DEFAULT_FLAG_CACHE_SECONDS,
      }),
    ),
    cursors: new FeedCursors(config.feedCursorKey),
    userIdClaim: config.userIdClaim,
    onError: (error, request) =>
      logger.error('profile read failed', { error: error as Error, routeKey: request.routeKey }),
  };
}

let deployed: ReturnType<typeof createReadHandler> | undefined;

/** Lambda entry point. */
export const handler = (event: ReadEvent): Promise<APIGatewayProxyStructuredResultV2> => {
  deployed ??= createReadHandler(createProfileApi(readDependenciesFromEnv()));
  return deployed(event);
};
