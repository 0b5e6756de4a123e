import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiRequest, ApiResponse, Caller } from '../application/serve-routes.ts';

/**
 * The event API Gateway (HTTP API, payload format 2.0) sends: the JWT authorizer's claims under
 * `authorizer.jwt`, the IAM caller under `authorizer.iam`.
 */
export type HttpApiEvent = APIGatewayProxyEventV2 & {
  readonly requestContext: APIGatewayProxyEventV2['requestContext'] & {
    readonly authorizer?: {
      readonly jwt?: { readonly claims: Record<string, unknown>; readonly scopes?: string[] | null };
      readonly iam?: Record<string, unknown>;
    };
  };
};

function callerOf(event: HttpApiEvent): Caller {
  const jwt = event.requestContext.authorizer?.jwt;
  return jwt ? { kind: 'jwt', claims: jwt.claims } : { kind: 'iam' };
}

function lowerCased(headers: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** The gateway event as the API's request. */
export function requestOf(event: HttpApiEvent): ApiRequest {
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

/**
 * A Lambda handler for API Gateway HTTP API events around served routes: the read function's (GET
 * routes), the erase-request function's (DELETE) and the local stack's (all of them).
 */
export function createHttpApiHandler(api: (request: ApiRequest) => Promise<ApiResponse>) {
  return async (event: HttpApiEvent): Promise<APIGatewayProxyStructuredResultV2> => {
    const response = await api(requestOf(event));
    return { statusCode: response.statusCode, headers: { ...response.headers }, body: response.body };
  };
}
