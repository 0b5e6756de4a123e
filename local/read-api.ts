import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ErasureRequests, erasureActions } from '../lambda/erasure/index.ts';
import type { ProfileTables } from '../lambda/read-api/adapters/profile-store.ts';
import { readActions } from '../lambda/read-api/application/read-routes.ts';
import { matchRoute } from '../lambda/read-api/domain/parameters.ts';
import {
  createHttpApiHandler,
  type HttpApiEvent,
  routeKeyOf,
  serveRoutes,
} from '../lambda/read-api/index.ts';
import { readApiDependencies } from '../lambda/read-api/wiring.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../lambda/shared/erased-users.ts';
import { JwtRejectedError } from './errors.ts';
import { type JsonWebKeySet, verifyJwt } from './jwt.ts';

/** How the local API authorizes, like the deployed stack's `apiAuth` context. */
export type LocalApiAuth =
  | { readonly mode: 'iam' }
  | {
      readonly mode: 'jwt';
      readonly issuer: string;
      readonly audience: readonly string[];
      readonly keys: JsonWebKeySet;
      /** @default "sub" */
      readonly userIdClaim?: string;
    };

/** Stage throttling, as API Gateway applies it (token bucket). */
export interface ThrottleSettings {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Bucket size. */
  readonly burstLimit: number;
}

/** Options of {@link startLocalProfileApi}. */
export interface LocalProfileApiOptions {
  /** Loopback port; 0 or omitted picks a free one. */
  readonly port?: number;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: ProfileTables;
  /** @default IAM */
  readonly auth?: LocalApiAuth;
  /** @default no throttling */
  readonly throttle?: ThrottleSettings;
  /** Feed cursor key. @default random per start (cursors of an earlier run are refused) */
  readonly cursorKey?: Buffer;
  /**
   * Seconds the set of erased users is cached, as the deployed read function does: one query of
   * the erasure log per period, not one per read. @default the deployed default (15)
   */
  readonly erasureCacheSeconds?: number;
  /** Serves `DELETE /users/{userId}` (the deployed stack's erasure queue and worker). @default 404 */
  readonly erasures?: ErasureRequests;
}

/** A running local read API. */
export interface LocalProfileApi {
  readonly url: string;
  readonly auth: LocalApiAuth['mode'];
  /** One line for the ready output that says how requests are authorized locally. */
  readonly authNote: string;
  close(): Promise<void>;
}

const GATEWAY_ERRORS = {
  forbidden: { status: 403, message: 'Forbidden' },
  unauthorized: { status: 401, message: 'Unauthorized' },
  throttled: { status: 429, message: 'Too Many Requests' },
} as const;

function tokenBucket(settings: ThrottleSettings | undefined): () => boolean {
  if (!settings) return () => true;
  let tokens = settings.burstLimit;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(settings.burstLimit, tokens + ((now - last) / 1000) * settings.rateLimit);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

type Authorization =
  | { ok: true; authorizer: NonNullable<HttpApiEvent['requestContext']['authorizer']> }
  | {
      ok: false;
      error: keyof typeof GATEWAY_ERRORS;
      wwwAuthenticate?: string;
    };

/**
 * IAM locally: a SigV4 `Authorization` header (or presigned query) must be present, as on AWS,
 * but its signature is not verified. JWT: verified like API Gateway's JWT authorizer.
 */
function authorize(request: IncomingMessage, url: URL, auth: LocalApiAuth, jwtRoute: boolean): Authorization {
  const header = request.headers.authorization;
  if (auth.mode === 'jwt' && jwtRoute) {
    if (!header) return { ok: false, error: 'unauthorized' };
    try {
      const claims = verifyJwt(header.replace(/^Bearer\s+/i, ''), auth);
      const asStrings = Object.fromEntries(
        Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
      return { ok: true, authorizer: { jwt: { claims: asStrings, scopes: null } } };
    } catch (error) {
      if (!(error instanceof JwtRejectedError)) throw error;
      return {
        ok: false,
        error: 'unauthorized',
        wwwAuthenticate: `Bearer scope="" error="invalid_token" error_description="${error.message}"`,
      };
    }
  }
  const signed = header?.startsWith('AWS4-HMAC-SHA256 ') || url.searchParams.has('X-Amz-Signature');
  if (!signed) return { ok: false, error: 'forbidden' };
  const accessKey =
    /Credential=([^/]+)\//.exec(header ?? '')?.[1] ?? url.searchParams.get('X-Amz-Credential');
  return { ok: true, authorizer: { iam: { accessKey, accountId: '000000000000', userArn: 'local' } } };
}

function eventOf(request: IncomingMessage, url: URL, authorizer: Authorization & { ok: true }): HttpApiEvent {
  const method = request.method ?? 'GET';
  const match = matchRoute(method, url.pathname);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const name of new Set(url.searchParams.keys())) query[name] = url.searchParams.getAll(name).join(',');
  const routeKey = match ? routeKeyOf(match.route) : '$default';
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(match ? { pathParameters: match.pathParameters } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: authorizer.authorizer,
    },
  };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/**
 * What the deployed functions answer, in one handler: one gateway, two functions when deployed (the
 * read function and the erase-request function). Erased users read as unknown.
 */
function routeHandler(options: LocalProfileApiOptions, auth: LocalApiAuth) {
  const userIdClaim = auth.mode === 'jwt' ? auth.userIdClaim : undefined;
  const reads = readApiDependencies({
    client: options.doc,
    tables: options.tables,
    cursorKey: options.cursorKey ?? randomBytes(32),
    userIdClaim,
    erasureCacheSeconds: options.erasureCacheSeconds ?? DEFAULT_ERASURE_CACHE_SECONDS,
  });
  return createHttpApiHandler(
    serveRoutes(
      { ...readActions(reads), ...(options.erasures ? erasureActions(options.erasures) : {}) },
      {
        userIdClaim,
        onError: (error) => process.stderr.write(`profile API request failed: ${(error as Error).stack}\n`),
      },
    ),
  );
}

/**
 * The profile read API on 127.0.0.1, served by the deployed read handler's own code: requests are
 * matched to the declared routes, authorized (IAM presence or a verified JWT), throttled like the
 * stage, turned into API Gateway payload 2.0 events and answered with what the handler returns.
 * The gateway's own refusals keep API Gateway's `{"message": ...}` shape.
 */
export async function startLocalProfileApi(options: LocalProfileApiOptions): Promise<LocalProfileApi> {
  const auth = options.auth ?? { mode: 'iam' };
  const handler = routeHandler(options, auth);
  const allow = tokenBucket(options.throttle);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const gatewayError = (kind: keyof typeof GATEWAY_ERRORS, extra: Record<string, string> = {}) =>
      send(
        response,
        GATEWAY_ERRORS[kind].status,
        { 'content-type': 'application/json', ...extra },
        JSON.stringify({ message: GATEWAY_ERRORS[kind].message }),
      );
    if (!allow()) return gatewayError('throttled');
    const match = matchRoute(request.method ?? 'GET', url.pathname);
    const authorization = authorize(request, url, auth, match?.route.access === 'user');
    if (!authorization.ok)
      return gatewayError(
        authorization.error,
        authorization.wwwAuthenticate ? { 'www-authenticate': authorization.wwwAuthenticate } : {},
      );
    request.resume();
    const result = await handler(eventOf(request, url, authorization));
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    send(response, result.statusCode ?? 200, headers, result.body ?? '');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) =>
      send(
        response,
        500,
        { 'content-type': 'application/json' },
        JSON.stringify({ message: `Internal Server Error: ${error.message}` }),
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`API port ${options.port} is already in use: choose another with --api-port`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth: auth.mode,
    authNote:
      auth.mode === 'iam'
        ? 'api: IAM mode: requests must carry a SigV4 signature, which is not verified locally (any key and signature are accepted)'
        : `api: JWT mode: tokens from ${auth.issuer} for ${auth.audience.join(', ')} are verified; batch reads need a SigV4 signature (not verified locally)`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
