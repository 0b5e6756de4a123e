import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FeedPage, GameProfileView, ProfileView } from '../read-api/index.ts';

import { ProfileApiError } from './errors.ts';

/** AWS credentials for SigV4 (what the AWS SDK's credential providers return). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** Options of {@link ProfileClient}. */
export interface ProfileClientOptions {
  /** The API's base URL (stack output `ProfileApiUrl`, or the local stack's `api` URL). */
  readonly baseUrl: string;
  /** Sign requests with SigV4 for IAM mode: the credentials, or a provider of them. */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Region of the API (SigV4). @default us-east-1 */
  readonly region?: string;
  /** An end user's JWT (JWT mode), or a function that returns a fresh one. */
  readonly token?: string | (() => Promise<string>);
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A statistics read: the statistics and their ETag, or `notModified` when `ifNoneMatch` still matched. */
export type StatsResult =
  | { readonly notModified: false; readonly stats: ProfileView; readonly etag: string }
  | { readonly notModified: true; readonly etag: string };

/** A read of a user's games: their statistics per game and the ETag, or `notModified`. */
export type GamesResult =
  | { readonly notModified: false; readonly games: readonly GameProfileView[]; readonly etag: string }
  | { readonly notModified: true; readonly etag: string };

/** Options of a conditional read: the ETag of the last answer, to learn cheaply that nothing changed. */
export interface ConditionalOptions {
  readonly ifNoneMatch?: string | undefined;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 and HMAC-SHA256 from node:crypto, in the shape the SigV4 signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * Typed client of the profile read API. IAM mode signs each request (SigV4, service
 * `execute-api`); JWT mode sends the end user's token.
 *
 * @example
 * const client = new ProfileClient({ baseUrl, credentials: defaultCredentials(), region });
 * const { stats } = await client.stats('u-1');
 */
export class ProfileClient {
  private readonly baseUrl: URL;
  private readonly signer: SignatureV4 | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ProfileClientOptions) {
    this.baseUrl = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.fetch = options.fetch ?? globalThis.fetch;
    const { credentials } = options;
    this.signer = credentials
      ? new SignatureV4({
          service: 'execute-api',
          region: options.region ?? 'us-east-1',
          credentials: typeof credentials === 'function' ? credentials : async () => credentials,
          sha256: NodeSha256,
        })
      : undefined;
  }

  /**
   * A user's statistics, overall or in `gameId` (zeros in a game they have nothing in); pass the
   * last ETag as `ifNoneMatch` to learn cheaply that nothing changed.
   */
  async stats(
    userId: string,
    options: ConditionalOptions & { gameId?: string | undefined } = {},
  ): Promise<StatsResult> {
    const query: Record<string, string> = options.gameId === undefined ? {} : { gameId: options.gameId };
    const read = await this.conditionalGet<ProfileView>(
      `users/${encodeURIComponent(userId)}/stats`,
      query,
      options,
    );
    return read.notModified ? read : { notModified: false, stats: read.body, etag: read.etag };
  }

  /** A user's statistics in each game they have activity in, sorted by `gameId`, with an ETag. */
  async games(userId: string, options: ConditionalOptions = {}): Promise<GamesResult> {
    const read = await this.conditionalGet<{ items: GameProfileView[] }>(
      `users/${encodeURIComponent(userId)}/games`,
      {},
      options,
    );
    return read.notModified ? read : { notModified: false, games: read.body.items, etag: read.etag };
  }

  /** A page of a user's activities, newest first. */
  async feed(
    userId: string,
    options: { limit?: number; cursor?: string | undefined; type?: string | undefined } = {},
  ): Promise<FeedPage> {
    const query: Record<string, string> = {};
    if (options.limit !== undefined) query.limit = String(options.limit);
    if (options.cursor !== undefined) query.cursor = options.cursor;
    if (options.type !== undefined) query.type = options.type;
    const response = await this.get(`users/${encodeURIComponent(userId)}/activities`, query);
    return (await response.json()) as FeedPage;
  }

  /** Statistics of up to 100 users (IAM only), overall or in `gameId`; unknown users come back with zeros. */
  async statsMany(
    userIds: readonly string[],
    options: { gameId?: string | undefined } = {},
  ): Promise<readonly ProfileView[]> {
    const query: Record<string, string> = { userIds: userIds.join(',') };
    if (options.gameId !== undefined) query.gameId = options.gameId;
    const response = await this.get('stats', query);
    return ((await response.json()) as { items: ProfileView[] }).items;
  }

  /** A GET that sends `If-None-Match` when given, and tells a `304` from a body. */
  private async conditionalGet<T>(
    path: string,
    query: Record<string, string>,
    options: ConditionalOptions,
  ): Promise<{ notModified: true; etag: string } | { notModified: false; body: T; etag: string }> {
    const headers: Record<string, string> = options.ifNoneMatch
      ? { 'if-none-match': options.ifNoneMatch }
      : {};
    const response = await this.get(path, query, headers);
    const etag = response.headers.get('etag') ?? '';
    if (response.status === 304) return { notModified: true, etag };
    return { notModified: false, body: (await response.json()) as T, etag };
  }

  private async get(path: string, query: Record<string, string>, extra: Record<string, string> = {}) {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    const { token } = this.options;
    if (token) headers.authorization = `Bearer ${typeof token === 'function' ? await token() : token}`;
    if (this.signer) {
      const signed = await this.signer.sign({
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...headers, host: url.host },
      });
      Object.assign(headers, signed.headers);
      delete headers.host;
    }
    const response = await this.fetch(url, { headers });
    if (response.ok || response.status === 304) return response;
    const body = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
      message?: string;
    };
    throw new ProfileApiError(
      response.status,
      body.error?.code ?? body.message ?? 'Error',
      body.error?.message ?? response.headers.get('www-authenticate') ?? body.message ?? response.statusText,
    );
  }
}
