import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalProfileApi, startLocalProfileApi } from '../../local/read-api.ts';
import { fresh } from '../support/events.ts';
import { rawRequest } from './attack-support.ts';
import { checkIn, SIGNED, sharedApiStack } from './support.ts';

// Attacks on the local read API in IAM mode: the Host header, the signature check, the path, the
// feed cursor and oversized input. Each answers as API Gateway would, and none with a 5xx.

const [me, other, tournament] = [fresh('me'), fresh('other'), fresh('t')];
const api = sharedApiStack([
  checkIn(tournament, me, 1),
  checkIn(tournament, me, 2),
  checkIn(tournament, other, 3),
  checkIn(tournament, other, 4),
]);
const send = (
  target: string,
  headers: Record<string, string> = SIGNED,
  extra: { host?: string | null; method?: string } = {},
) => rawRequest(api.stack.apiUrl, { target, headers, ...extra });

describe('row 3 of issue 28 in IAM mode: the request URL is built without trusting Host', () => {
  it.each(['[', 'a b', 'x:99999', 'a:b:c', 'example.com:'])('refuses Host %j with 400', async (host) => {
    const answer = await send(`/users/${me}/stats`, SIGNED, { host });
    expect([answer.status, answer.body]).toEqual([400, { message: 'Bad Request' }]);
  });

  it('refuses a request without Host with 400', async () => {
    expect((await send(`/users/${me}/stats`, SIGNED, { host: null })).status).toBe(400);
  });

  it('serves a well-formed Host that names another server, and copies it nowhere', async () => {
    const answer = await send(`/users/${me}/stats`, SIGNED, { host: 'evil.example:8080' });
    expect([answer.status, answer.body.userId]).toEqual([200, me]);
    expect(JSON.stringify(answer.headers) + answer.text).not.toContain('evil');
  });
});

describe('IAM mode: a SigV4-shaped Authorization header is required, and NOT verified locally', () => {
  it.each([
    ['no Authorization header', {}],
    ['the algorithm alone', { authorization: 'AWS4-HMAC-SHA256 ' }],
    [
      'no Signature parameter',
      { authorization: 'AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host' },
    ],
    ['a bearer token', { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.AAAA' }],
    ['basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('refuses %s with 403 {"message":"Forbidden"}', async (_, headers) => {
    const answer = await send(`/users/${me}/stats`, headers);
    expect([answer.status, answer.body]).toEqual([403, { message: 'Forbidden' }]);
  });

  it('serves any SigV4-shaped header and any presigned query: signatures are not verified locally', async () => {
    expect((await send(`/users/${me}/stats`)).status).toBe(200);
    const presigned = `/users/${me}/stats?X-Amz-Credential=anyone%2F20260501%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Signature=00`;
    expect((await send(presigned, {})).status).toBe(200);
  });

  it('accepts DELETE /users/{userId} with a made-up signature too, as docs/local.md warns', async () => {
    // Prepare: an API whose erasure service only notes what it was asked (no erasure runs)
    const requested: string[] = [];
    const stub = await startLocalProfileApi({
      doc: {} as DynamoDBDocumentClient,
      tables: { activities: 'a', stats: 's' },
      erasures: { record: async () => undefined, request: async (userId) => void requested.push(userId) },
    });
    try {
      // Act
      const answer = await rawRequest(stub.url, {
        method: 'DELETE',
        target: `/users/${me}`,
        headers: SIGNED,
      });
      // Assess
      expect([answer.status, answer.body.state, requested]).toEqual([202, 'requested', [me]]);
    } finally {
      await stub.close();
    }
  });
});

describe('path tricks reach only the route the path names as sent', () => {
  it.each([
    ['a dot-dot segment', 404, `/users/${me}/../${other}/stats`],
    ['a trailing slash', 404, `/users/${me}/stats/`],
    ['a doubled slash', 404, `//users/${me}/stats`],
    ['another case', 404, `/USERS/${me}/stats`],
    ['a path parameter after a semicolon', 404, `/users/${me}/stats;v=1`],
    ['an encoded slash in the user id', 400, `/users/${me}%2F..%2F${other}/stats`],
    ['an encoded NUL in the user id', 400, `/users/${me}%00/stats`],
    ['a malformed escape in the user id', 400, '/users/%ZZ/stats'],
  ])('%s answers %i', async (_, status, target) => {
    const answer = await send(target);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(status === 404 ? 'NotFound' : 'InvalidParameter');
  });

  it('serves an absolute-form target by its path, whatever authority it names', async () => {
    const answer = await send(`http://evil.example/users/${me}/stats`);
    expect([answer.status, answer.body.userId]).toEqual([200, me]);
  });

  it('refuses a target that is not a path with 400', async () => {
    const answer = await send('*', SIGNED, { method: 'OPTIONS' });
    expect([answer.status, answer.body]).toEqual([400, { message: 'Bad Request' }]);
  });
});

describe('cursor tampering: only a cursor the API issued, unchanged, for this user and filter', () => {
  const cursors: Record<string, string> = {};
  beforeAll(async () => {
    for (const user of [me, other])
      cursors[user] = (await send(`/users/${user}/activities?limit=1`)).body.nextCursor as string;
  });
  const feed = (user: string, query: string) => send(`/users/${user}/activities?limit=1&${query}`);
  const tampered: readonly [string, () => [string, string]][] = [
    ['a changed signature', () => [me, `cursor=${cursors[me]?.slice(0, -2)}AA`]],
    ["another user's cursor", () => [me, `cursor=${cursors[other]}`]],
    ['a type filter it was not issued for', () => [me, `cursor=${cursors[me]}&type=CheckInToggled`]],
    [
      "another user's position under this signature",
      () => [me, `cursor=${cursors[other]?.split('.').slice(0, 2).join('.')}.${cursors[me]?.split('.')[2]}`],
    ],
    ['a truncated cursor', () => [me, `cursor=${cursors[me]?.slice(0, 20)}`]],
    ['another version', () => [me, `cursor=c2${cursors[me]?.slice(2)}`]],
    ['an empty payload', () => [me, 'cursor=c1..']],
    ['constructor', () => [me, 'cursor=constructor']],
    ['the cursor twice', () => [me, `cursor=${cursors[me]}&cursor=${cursors[me]}`]],
  ];
  it.each(tampered)('refuses %s with 400 InvalidCursor', async (_, make) => {
    const [user, query] = make();
    const answer = await feed(user, query);
    expect([answer.status, answer.body.error.code]).toEqual([400, 'InvalidCursor']);
  });

  it('refuses a cursor over 2,048 characters with 400 InvalidParameter, and serves the real one', async () => {
    expect((await feed(me, `cursor=${'A'.repeat(2049)}`)).body.error.code).toBe('InvalidParameter');
    const next = await feed(me, `cursor=${cursors[me]}`);
    expect([next.status, next.body.items.length]).toEqual([200, 1]);
  });
});

describe('oversized input is refused with a 4xx', () => {
  const batchOf101 = `/stats?userIds=${Array.from({ length: 101 }, (_, i) => `u${i}`).join(',')}`;
  it.each([
    [
      'a header over the 10,240 bytes of request line and headers',
      431,
      `/users/${me}/stats`,
      { 'x-filler': 'x'.repeat(11_000) },
    ],
    ['a URL over the same quota', 431, `/users/${me}/stats?pad=${'x'.repeat(11_000)}`, {}],
    ['101 user ids in a batch', 400, batchOf101, {}],
    ['a user id of 65 characters', 400, `/users/${'u'.repeat(65)}/stats`, {}],
    ['a page of 1,000', 400, `/users/${me}/activities?limit=1000`, {}],
    ['a page size in exponent form', 400, `/users/${me}/activities?limit=1e2`, {}],
    ['a page size beyond any integer', 400, `/users/${me}/activities?limit=99999999999999999999`, {}],
    ['a type filter of 5,000 characters', 400, `/users/${me}/activities?type=${'A'.repeat(5000)}`, {}],
    [
      'a declared body over the 10 MB payload quota',
      413,
      `/users/${me}/stats`,
      { 'content-length': String(11 * 1024 * 1024) },
    ],
  ])('%s answers %i', async (_, status, target, headers) => {
    const answer = await send(target, { ...SIGNED, ...headers });
    expect(answer.status).toBe(status);
    if (status === 413) expect(answer.body).toEqual({ message: 'Request Entity Too Large' });
    if (status === 400) expect(answer.body.error.code).toBe('InvalidParameter');
  });
});

describe('an unexpected failure answers a fixed 500 and never says what failed', () => {
  const secret = 'arn:aws:dynamodb:secret-table password=hunter2';
  const fail = () => Promise.reject(new Error(secret));
  let failing: LocalProfileApi;
  // The cause is for the operator: it goes to stderr, which the tests keep to themselves.
  const stderr = vi.spyOn(process.stderr, 'write');
  beforeAll(async () => {
    stderr.mockImplementation(() => true);
    failing = await startLocalProfileApi({
      doc: { send: fail } as unknown as DynamoDBDocumentClient,
      tables: { activities: 'a', stats: 's' },
      erasures: { record: fail, request: fail },
    });
  });
  afterAll(async () => {
    stderr.mockRestore();
    await failing.close();
  });

  it.each([
    ['GET', `/users/${me}/stats`],
    ['GET', `/users/${me}/activities`],
    ['GET', `/stats?userIds=${me}`],
    ['DELETE', `/users/${me}`],
  ])('%s %s', async (method, target) => {
    const answer = await rawRequest(failing.url, { method, target, headers: SIGNED });
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('InternalError');
    expect(JSON.stringify(answer.headers) + answer.text).not.toMatch(/hunter2|secret|Error:/);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('profile API request failed'));
  });
});
