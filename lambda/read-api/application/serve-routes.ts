import {
  API_ERRORS,
  type ApiErrorKind,
  type ParameterValues,
  ROUTES,
  type RouteDeclaration,
  routeKeyOf,
} from '../constants.ts';
import { parseParameters } from '../domain/parameters.ts';
import { InvalidCursorError } from '../errors.ts';

/**
 * Serving the profile API's declared routes, whatever function serves them: the read function
 * serves the read routes, the erasure request function the erase route (lambda/erasure), the local
 * stack all of them. Requests are validated against the declarations and callers checked first.
 */

/** Who is calling, as the gateway established it. */
export type Caller =
  | { readonly kind: 'iam' }
  | { readonly kind: 'jwt'; readonly claims: Readonly<Record<string, unknown>> };

/** A request as the gateway hands it over (API Gateway HTTP API payload 2.0, reduced). */
export interface ApiRequest {
  /** `GET /users/{userId}/stats`, or `$default` for a request no route matched. */
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly caller: Caller;
}

/** A response for the gateway. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A JSON answer. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** An error answer: `{ "error": { "code", "message" } }` with the kind's status. */
export function errorResponse(kind: ApiErrorKind, message: string): ApiResponse {
  const { code, status } = API_ERRORS[kind];
  return json(status, { error: { code, message } });
}

const ROUTES_BY_KEY = new Map(ROUTES.map((route) => [routeKeyOf(route), route]));

function refuseCaller(route: RouteDeclaration, caller: Caller, userIdClaim: string, userId: unknown) {
  if (caller.kind === 'iam') return undefined;
  if (route.access === 'platform')
    return errorResponse('forbidden', `${routeKeyOf(route)} is for the platform's IAM-signed requests only`);
  const own = caller.claims[userIdClaim];
  if (own === undefined || String(own) !== userId)
    return errorResponse(
      'forbidden',
      `this token may read only its own profile (claim ${userIdClaim}); other users' profiles are IAM-only`,
    );
  return undefined;
}

/** What one route does with its validated parameters. */
export type RouteAction = (values: ParameterValues, request: ApiRequest) => Promise<ApiResponse>;

/** Actions by operation; a function serves the routes it has actions for. */
export type RouteActions = Partial<Record<RouteDeclaration['operationId'], RouteAction>>;

/** How {@link serveRoutes} treats callers and failures. */
export interface ServeOptions {
  /** JWT claim that holds the caller's user id. @default "sub" */
  readonly userIdClaim?: string | undefined;
  /** Called with unexpected failures before the 500 answer (logging). */
  readonly onError?: ((error: unknown, request: ApiRequest) => void) | undefined;
}

/**
 * Routes a gateway request to its action, validates it against the declarations and checks the
 * caller first. Unknown routes get 404, invalid parameters and cursors 400, other users' profiles
 * under a JWT 403; nothing here trusts an input it did not check.
 */
export function serveRoutes(
  actions: RouteActions,
  options: ServeOptions = {},
): (request: ApiRequest) => Promise<ApiResponse> {
  const userIdClaim = options.userIdClaim ?? 'sub';
  const served = ROUTES.filter((route) => actions[route.operationId]);
  return async (request) => {
    const route = ROUTES_BY_KEY.get(request.routeKey);
    const action = route && actions[route.operationId];
    if (!route || !action)
      return errorResponse(
        'notFound',
        `no route ${request.method} ${request.path}; the API serves ${served.map(routeKeyOf).join(', ')}`,
      );
    const { values, problems } = parseParameters(route, {
      path: request.pathParameters,
      query: request.query,
    });
    if (problems.length > 0)
      return errorResponse('invalidParameter', problems.map((p) => `${p.name} ${p.message}`).join('; '));
    const refused = refuseCaller(route, request.caller, userIdClaim, values.userId);
    if (refused) return refused;
    try {
      return await action(values, request);
    } catch (error) {
      if (error instanceof InvalidCursorError) return errorResponse('invalidCursor', error.message);
      options.onError?.(error, request);
      return errorResponse('internal', `${routeKeyOf(route)} failed; retry with backoff`);
    }
  };
}
