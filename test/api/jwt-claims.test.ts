import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fresh } from '../support/events.ts';
import {
  AUDIENCE,
  attackedJwtApi,
  CHALLENGES,
  claimsFor,
  expectRefused,
  ISSUER,
  jwt,
  nowSeconds,
  rawRequest,
  rsaKey,
  rsaSigner,
} from './attack-support.ts';

// Attacks on the claims a token carries, and on where its key comes from: each answers as API
// Gateway's JWT authorizer would
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).

const { me, api, valid, read, expectAnswer } = attackedJwtApi();

describe('time, issuer and audience claims', () => {
  it.each([
    ['exp in the past', { exp: nowSeconds() - 60, iat: nowSeconds() - 660 }, 'expired'],
    ['no exp', { exp: undefined }, 'expired'],
    ['exp as a string', { exp: String(nowSeconds() + 600) }, 'expired'],
    ['exp null', { exp: null }, 'expired'],
    ['nbf in the future', { nbf: nowSeconds() + 600 }, 'notYetValid'],
    ['nbf as a string', { nbf: '0' }, 'notYetValid'],
    ['iat an hour ahead', { iat: nowSeconds() + 3600 }, 'issuedInFuture'],
    ['iat as a string', { iat: '0' }, 'issuedInFuture'],
    ['nbf and iat in the past', { nbf: nowSeconds() - 60, iat: nowSeconds() - 60 }, 200],
    ['no iat', { iat: undefined }, 200],
    ['a wrong issuer', { iss: 'https://elsewhere.example' }, 'issuer'],
    ['no issuer', { iss: undefined }, 'issuer'],
    ['the issuer with a trailing slash', { iss: `${ISSUER}/` }, 'issuer'],
    ['the issuer in an array', { iss: [ISSUER] }, 'issuer'],
    ['a wrong audience', { aud: 'another-app' }, 'audience'],
    ['no aud and no client_id', { aud: undefined }, 'audience'],
    ['aud as a number', { aud: 1 }, 'audience'],
    ['aud nested in arrays', { aud: [[AUDIENCE]] }, 'audience'],
    [
      'a wrong aud beside the right client_id (aud is evaluated)',
      { aud: 'another-app', client_id: AUDIENCE },
      'audience',
    ],
    ['aud among others', { aud: ['another-app', AUDIENCE] }, 200],
    ['the right client_id and no aud', { aud: undefined, client_id: AUDIENCE }, 200],
  ] as const)('%s', async (_, overrides, expected) => {
    await expectAnswer(valid({}, claimsFor(me, overrides)), expected);
  });
});

describe('jku and x5u: keys are taken from the key set only, never fetched from a token', () => {
  const attacker = rsaKey('attacker');
  let fetches = 0;
  let keyServer: Server;
  let keyUrl = '';
  beforeAll(async () => {
    keyServer = createServer((_, response) => {
      fetches += 1;
      response.end(JSON.stringify({ keys: [attacker.jwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    keyUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => keyServer.close(() => resolve())));

  it.each([
    ['jku to the attacker key set, attacker kid', 'jku', 'attacker', 'key'],
    ['jku to the attacker key set, trusted kid', 'jku', 'rsa-1', 'signature'],
    ['x5u to the attacker key, attacker kid', 'x5u', 'attacker', 'key'],
    ['x5u to the attacker key, trusted kid', 'x5u', 'rsa-1', 'signature'],
  ] as const)('refuses %s with 401 and fetches nothing', async (_, parameter, kid, reason) => {
    const token = jwt(
      { alg: 'RS256', kid, [parameter]: keyUrl },
      claimsFor(me),
      rsaSigner(attacker.privateKey),
    );
    expectRefused(await read(token), reason);
    expect(fetches).toBe(0);
  });

  it('serves a token the trusted key signed whatever jku it names, without fetching it', async () => {
    await expectAnswer(valid({ jku: keyUrl, x5u: keyUrl }), 200);
    expect(fetches).toBe(0);
  });
});

describe('sub shapes: a token reads only the profile its user id claim names', () => {
  it.each([
    ['its own profile', me, me, 200],
    ["another user's profile", fresh('other'), me, 403],
    ['no sub', undefined, me, 403],
    ['an empty sub', '', me, 403],
    ['a sub with a trailing space', `${me} `, me, 403],
    ['a sub in upper case', me.toUpperCase(), me, 403],
    ['a sub in an array', [me], me, 403],
    ['a sub in an object', { id: me }, me, 403],
    ['a numeric sub for its own numeric id (claims reach the function as strings)', 42, '42', 200],
    ['the sub __proto__ for its own id', '__proto__', '__proto__', 200],
    ['the sub constructor for its own id', 'constructor', 'constructor', 200],
  ] as const)('%s', async (_, sub, userId, status) => {
    const answer = await read(valid({}, claimsFor(sub, sub === undefined ? { sub: undefined } : {})), userId);
    expect(answer.status).toBe(status);
    if (status === 403) expect(answer.body.error.code).toBe('Forbidden');
    else expect(answer.body.userId).toBe(userId);
    if (answer.headers['www-authenticate']) expect(CHALLENGES).toContain(answer.headers['www-authenticate']);
  });
});

describe("path tricks: a token never reaches another user's profile", () => {
  const other = fresh('other');
  it.each([
    [
      'a dot-dot segment back to the other user',
      `/users/${me}/../${other}/stats`,
      403,
      { message: 'Forbidden' },
    ],
    [
      'a dot-dot segment back to its own user',
      `/users/${other}/../${me}/stats`,
      403,
      { message: 'Forbidden' },
    ],
    ['encoded dots as the user id', '/users/%2e%2e/stats', 403, 'Forbidden'],
    ['an encoded slash in the user id', `/users/${me}%2F..%2F${other}/stats`, 400, 'InvalidParameter'],
    [
      "the other user's path with its own id in the query",
      `/users/${other}/stats?userId=${me}`,
      403,
      'Forbidden',
    ],
    [
      "an absolute-form target naming the other user's path",
      `http://${me}.example/users/${other}/stats`,
      403,
      'Forbidden',
    ],
  ])('%s', async (_, target, status, refusal) => {
    const answer = await rawRequest(api.stack.apiUrl, {
      target,
      headers: { authorization: `Bearer ${valid()}` },
    });
    expect(answer.status).toBe(status);
    // A path no route matches is the IAM-authorized default route: API Gateway's own 403.
    if (typeof refusal === 'string') expect(answer.body.error.code).toBe(refusal);
    else expect(answer.body).toEqual(refusal);
  });

  it('serves its own profile through a percent-encoded path', async () => {
    const encoded = [...me].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const answer = await rawRequest(api.stack.apiUrl, {
      target: `/users/${encoded}/stats`,
      headers: { authorization: `Bearer ${valid()}` },
    });
    expect([answer.status, answer.body.userId]).toEqual([200, me]);
  });
});
