import { createHmac, createSign, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { type JsonWebKeySet, JWT_REJECTIONS } from '../../local/jwt.ts';
import { fresh } from '../support/events.ts';
import { sharedApiStack } from './support.ts';

/** The issuer and audience the attacked JWT-mode API trusts. */
export const ISSUER = 'https://issuer.attack.example';
export const AUDIENCE = 'profile-app';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RSA key pair and its public JWK (with `kid`, `alg` and `use` unless overridden). */
export function rsaKey(kid: string | undefined, jwk: Record<string, unknown> = { alg: 'RS256', use: 'sig' }) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), ...(kid ? { kid } : {}), ...jwk },
  };
}

/** Signs `input` the way a JWS algorithm would. */
export type Signer = (input: string) => Buffer;

export const rsaSigner =
  (privateKey: KeyObject, hash = 'RSA-SHA256'): Signer =>
  (input) =>
    createSign(hash).update(input).sign(privateKey);
export const ecSigner =
  (privateKey: KeyObject): Signer =>
  (input) =>
    sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
export const hmacSigner =
  (secret: Buffer | string): Signer =>
  (input) =>
    createHmac('sha256', secret).update(input).digest();
export const noSignature: Signer = () => Buffer.alloc(0);

/** A JWS compact token with any header and claims, signed by `signer`. */
export function jwt(header: Record<string, unknown>, claims: unknown, signer: Signer): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims a valid token for `sub` carries, with `overrides` applied (`undefined` removes a claim). */
export function claimsFor(sub: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub,
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    ...overrides,
  };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete claims[name];
  return claims;
}

/** The key set of the attacked API, and the keys the tests sign with. */
export function attackKeys() {
  const trusted = rsaKey('rsa-1');
  // Many issuers publish keys without alg: only the token's header then names the algorithm.
  const withoutAlg = rsaKey('rsa-noalg', { use: 'sig' });
  const rs384 = rsaKey('rsa-384', { alg: 'RS384', use: 'sig' });
  const encryption = rsaKey('rsa-enc', { use: 'enc' });
  const withoutKid = rsaKey(undefined);
  const stranger = rsaKey('rsa-1');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const hmacSecret = Buffer.from('a-shared-secret-that-is-long-enough-for-hs256');
  const keys: JsonWebKeySet = {
    keys: [
      trusted.jwk,
      withoutAlg.jwk,
      rs384.jwk,
      encryption.jwk,
      withoutKid.jwk,
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      { kty: 'oct', kid: 'hmac-1', alg: 'HS256', k: hmacSecret.toString('base64url') },
    ],
  };
  return { keys, trusted, withoutAlg, rs384, encryption, withoutKid, stranger, ec, hmacSecret };
}

/** The `www-authenticate` challenge of a refused token, as API Gateway shapes it. */
export const challenge = (reason: keyof typeof JWT_REJECTIONS) =>
  `Bearer scope="" error="invalid_token" error_description="${JWT_REJECTIONS[reason]}"`;

/** Every challenge the API may send: fixed texts only. */
export const CHALLENGES = new Set(
  Object.keys(JWT_REJECTIONS).map((r) => challenge(r as keyof typeof JWT_REJECTIONS)),
);

/** A raw HTTP answer. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed when it is JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: each test asserts the fields it reads
  readonly body: any;
}

/** What to send: any request target and headers; `host: null` sends no Host header. */
export interface RawRequest {
  readonly method?: string;
  readonly target: string;
  readonly host?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

function parseAnswer(raw: string): RawAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = raw.slice(0, split < 0 ? raw.length : split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = split < 0 ? '' : raw.slice(split + 4);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, body };
}

/**
 * Sends one request over a raw socket, exactly as given (a malformed Host or request target is
 * sent as is, which fetch would refuse or normalise), and reads the answer until the server closes.
 */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const host = request.host === undefined ? `${hostname}:${port}` : request.host;
  const lines = [
    `${request.method ?? 'GET'} ${request.target} HTTP/1.1`,
    'connection: close',
    ...Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    ...(host === null ? [] : [`host: ${host}`]),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks).toString('utf8'))));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  });
}

/** 401 as API Gateway refuses a token: its fixed body, and the challenge with this fixed description. */
export function expectRefused(answer: RawAnswer, reason: keyof typeof JWT_REJECTIONS): void {
  expect(answer.status).toBe(401);
  expect(answer.body).toEqual({ message: 'Unauthorized' });
  expect(answer.headers['www-authenticate']).toBe(challenge(reason));
}

/**
 * A JWT-mode API stack (shared by the test file) trusting {@link attackKeys}, a user `me`, and the
 * requests the attack tables send: `valid` signs a good token for `me` with header and claims
 * changed, `read` sends one to `GET /users/{userId}/stats`.
 */
export function attackedJwtApi() {
  const keys = attackKeys();
  const me = fresh('me');
  const api = sharedApiStack([], { mode: 'jwt', issuer: ISSUER, audience: [AUDIENCE], keys: keys.keys });
  const valid = (header: Record<string, unknown> = {}, claims = claimsFor(me)) =>
    jwt({ alg: 'RS256', typ: 'JWT', kid: 'rsa-1', ...header }, claims, rsaSigner(keys.trusted.privateKey));
  const read = (token: string, userId = me, host?: string): Promise<RawAnswer> =>
    rawRequest(api.stack.apiUrl, {
      target: `/users/${userId}/stats`,
      headers: { authorization: `Bearer ${token}` },
      ...(host === undefined ? {} : { host }),
    });
  /** `me`'s statistics (200) or the refusal for `expected`. */
  const expectAnswer = async (token: string, expected: keyof typeof JWT_REJECTIONS | 200) => {
    const answer = await read(token);
    if (expected === 200) expect([answer.status, answer.body?.userId]).toEqual([200, me]);
    else expectRefused(answer, expected);
  };
  return { keys, me, api, valid, read, expectAnswer };
}
