import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { listenOnLoopback, type ServerLimits } from './endpoint.ts';
import { LocalEndpointError } from './errors.ts';
import { authorizeBearer, type JsonWebKeySet } from './jwt.ts';

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
  /** Loopback address to listen on; any other address is refused. @default 127.0.0.1 */
  readonly host?: string;
  /** @default the endpoint's limits, with HTTP API's 10,240 bytes of request line and headers */
  readonly limits?: Partial<ServerLimits>;
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
  readonly limits: ServerLimits;
  close(): Promise<void>;
}

/**
 * API Gateway's own refusals, fixed `{"message": ...}` bodies that echo nothing a caller sent (`401
 * {"message":"Unauthorized"}`: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html).
 */
const GATEWAY_ERRORS = {
  badRequest: { status: 400, message: 'Bad Request' },
  unauthorized: { status: 401, message: 'Unauthorized' },
  forbidden: { status: 403, message: 'Forbidden' },
  tooLarge: { status: 413, message: 'Request Entity Too Large' },
  throttled: { status: 429, message: 'Too Many Requests' },
  internal: { status: 500, message: 'Internal Server Error' },
} as const;
type GatewayError = keyof typeof GATEWAY_ERRORS;

// HTTP API quotas: "Total combined size of request line and header values 10240 bytes", "Payload
// size 10 MB" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
const HTTP_API_HEADER_BYTES = 10_240;
const HTTP_API_PAYLOAD_BYTES = 10 * 1024 * 1024;

function tokenBucket(settings: ThrottleSettings | undefined): () => boolean {
  if (!settings) return () => true;
  let [tokens, last] = [settings.burstLimit, Date.now()];
  return () => {
    const now = Date.now();
    tokens = Math.min(settings.burstLimit, tokens + ((now - last) / 1000) * settings.rateLimit);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** A `Host` header of RFC 3986's shape: a name, IPv4 or [IPv6] literal, and a port up to 65535. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::(\d{1,5}))?$/;
const validHost = (host: string | undefined): boolean => {
  const match = host === undefined ? null : HOST.exec(host);
  return match !== null && (match[1] === undefined || Number(match[1]) <= 65535);
};

/** The path and query a request names, as sent (the origin or absolute form); `undefined` for any other form. */
export function requestTarget(raw: string | undefined): { path: string; query: string } | undefined {
  // An absolute-form target's authority, like the Host header, is never used to build anything.
  const absolute = /^https?:\/\/[^/?#]*/i.exec(raw ?? '');
  const target = absolute ? (raw as string).slice(absolute[0].length) || '/' : (raw ?? '');
  if (!target.startsWith('/')) return undefined;
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

type Authorizer = NonNullable<HttpApiEvent['requestContext']['authorizer']>;
/** SigV4's shape: the algorithm, then `Credential=`, `SignedHeaders=` and `Signature=` parameters. */
const SIGV4_HEADER = /^AWS4-HMAC-SHA256 (?=.*\bCredential=)(?=.*\bSignedHeaders=)(?=.*\bSignature=)/;

/**
 * IAM locally: a SigV4-shaped `Authorization` header (or presigned query) must be present, as on
 * AWS, but the signature is NOT verified: any key and signature pass. JWT: verified like API
 * Gateway's JWT authorizer (jwt.ts).
 */
function authorize(request: IncomingMessage, query: URLSearchParams, auth: LocalApiAuth, jwtRoute: boolean) {
  const header = request.headers.authorization;
  if (auth.mode === 'jwt' && jwtRoute) {
    const verdict = authorizeBearer(header, auth);
    if (!verdict.ok)
      return { ok: false, error: 'unauthorized', wwwAuthenticate: verdict.wwwAuthenticate } as const;
    return { ok: true, authorizer: { jwt: { claims: verdict.claims, scopes: null } } } as const;
  }
  const signed =
    SIGV4_HEADER.test(header ?? '') || (query.has('X-Amz-Signature') && query.has('X-Amz-Credential'));
  if (!signed) return { ok: false, error: 'forbidden', wwwAuthenticate: undefined } as const;
  const accessKey = /Credential=([^/]+)\//.exec(header ?? '')?.[1] ?? query.get('X-Amz-Credential');
  return {
    ok: true,
    authorizer: { iam: { accessKey, accountId: '000000000000', userArn: 'local' } },
  } as const;
}

function eventOf(
  request: IncomingMessage,
  target: { path: string; query: string },
  authorizer: Authorizer,
): HttpApiEvent {
  const method = request.method ?? 'GET';
  const match = matchRoute(method, target.path);
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, [value ?? ''].flat().join(',')]),
  );
  const params = new URLSearchParams(target.query);
  const query: Record<string, string> = {};
  for (const name of new Set(params.keys())) query[name] = params.getAll(name).join(',');
  const routeKey = match ? routeKeyOf(match.route) : '$default';
  const now = new Date();
  const { localAddress, localPort, remoteAddress } = request.socket;
  return {
    version: '2.0',
    routeKey,
    rawPath: target.path,
    rawQueryString: target.query,
    headers,
    ...(target.query ? { queryStringParameters: query } : {}),
    ...(match ? { pathParameters: match.pathParameters } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      // The address the client reached, from the socket: the Host header is the client's to say.
      domainName: `${localAddress?.includes(':') ? `[${localAddress}]` : localAddress}:${localPort}`,
      domainPrefix: 'local',
      http: {
        method,
        path: target.path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer,
    },
  };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendGatewayError(response: ServerResponse, kind: GatewayError, extra: Record<string, string> = {}) {
  const { status, message } = GATEWAY_ERRORS[kind];
  send(response, status, { 'content-type': 'application/json', ...extra }, JSON.stringify({ message }));
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

type Admission = { refusal: GatewayError; headers?: Record<string, string> } | { event: HttpApiEvent };

/** What API Gateway does before the function: request checks, quota, throttling, authorization. */
function admit(request: IncomingMessage, auth: LocalApiAuth, allow: () => boolean): Admission {
  const target = requestTarget(request.url);
  if (!target || !validHost(request.headers.host)) return { refusal: 'badRequest' };
  if (Number(request.headers['content-length'] ?? 0) > HTTP_API_PAYLOAD_BYTES) return { refusal: 'tooLarge' };
  if (!allow()) return { refusal: 'throttled' };
  const jwtRoute = matchRoute(request.method ?? 'GET', target.path)?.route.access === 'user';
  const authorization = authorize(request, new URLSearchParams(target.query), auth, jwtRoute);
  if (!authorization.ok) {
    const challenge = authorization.wwwAuthenticate;
    return { refusal: authorization.error, headers: challenge ? { 'www-authenticate': challenge } : {} };
  }
  return { event: eventOf(request, target, authorization.authorizer) };
}

/**
 * The profile read API on loopback, served by the deployed read handler's own code: requests are
 * matched to the declared routes, authorized (IAM presence or a verified JWT), throttled like the
 * stage, turned into API Gateway payload 2.0 events and answered with what the handler returns.
 * The gateway's own refusals keep API Gateway's `{"message": ...}` shape, and an unexpected failure
 * is API Gateway's fixed 500: its cause goes to stderr for the operator, never into a response.
 */
export async function startLocalProfileApi(options: LocalProfileApiOptions): Promise<LocalProfileApi> {
  const auth = options.auth ?? { mode: 'iam' };
  const handler = routeHandler(options, auth);
  const allow = tokenBucket(options.throttle);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    request.resume(); // no route reads a body
    const admitted = admit(request, auth, allow);
    if ('refusal' in admitted) return sendGatewayError(response, admitted.refusal, admitted.headers);
    const result = await handler(admitted.event);
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    send(response, result.statusCode ?? 200, headers, result.body ?? '');
  };

  const server = await listenOnLoopback(
    (request, response) => {
      handle(request, response).catch((error: Error) => {
        process.stderr.write(`profile API: ${request.method} request failed: ${error.stack}\n`);
        if (response.headersSent) response.destroy();
        else sendGatewayError(response, 'internal');
      });
    },
    {
      port: options.port,
      host: options.host,
      limits: { maxHeaderBytes: HTTP_API_HEADER_BYTES, ...options.limits },
      portTaken: (port) =>
        new LocalEndpointError(`API port ${port} is already in use: choose another with --api-port`),
    },
  );
  return {
    url: server.url,
    auth: auth.mode,
    authNote:
      auth.mode === 'iam'
        ? 'api: IAM mode: requests must carry a SigV4 signature, which is not verified locally (any SigV4-shaped Authorization header passes, DELETE /users/{userId} included)'
        : `api: JWT mode: tokens from ${auth.issuer} for ${auth.audience.join(', ')} are verified; batch reads and erasures need a SigV4 signature, which is not verified locally`,
    limits: server.limits,
    close: () => server.close(),
  };
}
