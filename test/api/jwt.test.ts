import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JsonWebKeySet } from '../../local/jwt.ts';
import { fresh } from '../support/events.ts';
import { checkIn, get, SIGNED, sharedApiStack } from './support.ts';

const ISSUER = 'https://issuer.test.example';
const AUDIENCE = 'profile-app';

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

function sign(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

const trusted = keyPair('test-key');
const stranger = keyPair('test-key');
const now = () => Math.floor(Date.now() / 1000);
const [me, other, tournament] = [fresh('me'), fresh('other'), fresh('t')];
const token = (claims: Record<string, unknown> = {}, key = trusted) =>
  sign(key.privateKey, key.kid, {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: me,
    iat: now(),
    exp: now() + 600,
    ...claims,
  });
const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

const keys: JsonWebKeySet = { keys: [trusted.jwk] };
const api = sharedApiStack([checkIn(tournament, me, 1), checkIn(tournament, other, 2)], {
  mode: 'jwt',
  issuer: ISSUER,
  audience: [AUDIENCE],
  keys,
});

describe('JWT mode', () => {
  it("lets an end user read their own statistics and feed with the issuer's token", async () => {
    const stats = await get(`${api.stack.apiUrl}/users/${me}/stats`, bearer(token()));
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ userId: me, activityCount: 1 });
    const feed = await get(`${api.stack.apiUrl}/users/${me}/activities`, bearer(token()));
    expect(feed.status).toBe(200);
    expect(feed.body.items).toHaveLength(1);
    const game = await get(`${api.stack.apiUrl}/users/${me}/stats?gameId=valorant`, bearer(token()));
    expect(game.body).toMatchObject({ userId: me, gameId: 'valorant' });
    const games = await get(`${api.stack.apiUrl}/users/${me}/games`, bearer(token()));
    expect([games.status, games.body]).toEqual([200, { items: [] }]);
  });

  it("refuses another user's profile with 403 and a JSON error", async () => {
    for (const route of ['stats', 'stats?gameId=valorant', 'games', 'activities']) {
      const { status, body } = await get(`${api.stack.apiUrl}/users/${other}/${route}`, bearer(token()));
      expect(status).toBe(403);
      expect(body.error.code).toBe('Forbidden');
    }
  });

  it.each([
    ['an expired token', () => token({ exp: now() - 60, iat: now() - 660 }), /expired/],
    ['a wrong audience', () => token({ aud: 'another-app' }), /audience/],
    ['a wrong issuer', () => token({ iss: 'https://elsewhere.example' }), /issuer/],
    ['a key the issuer does not publish', () => token({}, stranger), /signature/],
    ['a token not valid yet', () => token({ nbf: now() + 600 }), /not valid yet/],
  ])('refuses %s with 401 and says why in www-authenticate', async (_, make, reason) => {
    const { status, headers, body } = await get(`${api.stack.apiUrl}/users/${me}/stats`, bearer(make()));
    expect(status).toBe(401);
    expect(body).toEqual({ message: 'Unauthorized' });
    expect(headers.get('www-authenticate')).toMatch(reason);
  });

  it('refuses a request without a token with 401', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${me}/stats`, {});
    expect(status).toBe(401);
    expect(body).toEqual({ message: 'Unauthorized' });
  });

  it('keeps batch reads IAM-only: a token is refused, a signed request is served', async () => {
    expect((await get(`${api.stack.apiUrl}/stats?userIds=${me}`, bearer(token()))).status).toBe(403);
    const signed = await get(`${api.stack.apiUrl}/stats?userIds=${me},${other}`, SIGNED);
    expect(signed.status).toBe(200);
    expect(signed.body.items).toHaveLength(2);
  });
});
