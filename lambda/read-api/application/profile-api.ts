import type { StoredStats } from '../../statistics/domain/projection.ts';
import { profileStats, winRate, ZERO } from '../../statistics/domain/stats.ts';
import {
  API_ERRORS,
  type ApiErrorKind,
  type FeedPage,
  type ParameterValues,
  type ProfileView,
  parseParameters,
  ROUTES,
  type RouteDeclaration,
  routeKeyOf,
} from '../domain/routes.ts';
import { InvalidCursorError } from '../errors.ts';
import type { FeedCursors } from './feed-cursor.ts';
import type { ProfileStore } from './ports.ts';

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

/** What the read API is built from. */
export interface ProfileApiDependencies {
  readonly store: ProfileStore;
  readonly cursors: FeedCursors;
  /** JWT claim that holds the caller's user id. @default "sub" */
  readonly userIdClaim?: string;
  /** Called with unexpected failures before the 500 answer (logging). */
  readonly onError?: (error: unknown, request: ApiRequest) => void;
}

/** The view of stored statistics (zeros for a user without any). */
export function profileView(userId: string, stored: StoredStats | undefined): ProfileView {
  const stats = stored
    ? profileStats(userId, stored.counters, stored.activityCount, stored.lastActivityAt)
    : profileStats(userId, ZERO, 0, null);
  return { ...stats, winRate: winRate(stats) };
}

/** The ETag of a user's statistics: their version, which every change increments. */
export const statsETag = (stored: StoredStats | undefined): string => `"v${stored?.version ?? 0}"`;

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

/** `If-None-Match` matches `etag` (a list, `*`, or a weak form of it). */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
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

/** The read routes' actions: statistics, feeds and batch reads. */
export function readActions(deps: ProfileApiDependencies): RouteActions {
  return {
    async getUserStats(values, request) {
      const userId = values.userId as string;
      const stored = await deps.store.stats(userId);
      const etag = statsETag(stored);
      const headers = { etag, 'cache-control': 'private, no-cache' };
      if (matchesETag(request.headers['if-none-match'], etag)) return { statusCode: 304, headers, body: '' };
      return json(200, profileView(userId, stored), headers);
    },
    async getUserActivities(values) {
      const userId = values.userId as string;
      const detailType = values.type as string | undefined;
      const cursor = values.cursor as string | undefined;
      const after = cursor === undefined ? undefined : deps.cursors.decode(cursor, userId, detailType);
      const page = await deps.store.feed(userId, { limit: values.limit as number, detailType, after });
      const body: FeedPage = {
        items: page.items,
        ...(page.next ? { nextCursor: deps.cursors.encode(userId, detailType, page.next) } : {}),
      };
      return json(200, body);
    },
    async getStatsBatch(values) {
      const userIds = values.userIds as readonly string[];
      const found = await deps.store.statsMany(userIds);
      return json(200, { items: userIds.map((id) => profileView(id, found.get(id))) });
    },
  };
}

/** The read API: the read routes served as {@link serveRoutes} serves them. */
export function createProfileApi(
  deps: ProfileApiDependencies,
): (request: ApiRequest) => Promise<ApiResponse> {
  return serveRoutes(readActions(deps), deps);
}
