import { describe, expect, it } from 'vitest';
import {
  attackedJwtApi,
  claimsFor,
  ecSigner,
  expectRefused,
  hmacSigner,
  jwt,
  noSignature,
  nowSeconds,
  rawRequest,
  rsaSigner,
} from './attack-support.ts';

// Attacks on the local JWT authorizer: the rows of issue 28 and the attacks on a token's header.
// Each answers as API Gateway's JWT authorizer would
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
// a refused token is 401 {"message":"Unauthorized"} with a fixed www-authenticate description.

const { keys: k, me, api, valid, read, expectAnswer } = attackedJwtApi();
const trustedSigner = rsaSigner(k.trusted.privateKey);
const strangerSigner = rsaSigner(k.stranger.privateKey);

describe('the rows of issue 28, in JWT mode', () => {
  const prototypeNames = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];
  it.each(
    prototypeNames.flatMap((alg) => [
      [alg, 'rsa-1'],
      [alg, 'rsa-noalg'],
    ]),
  )(
    'row 1: refuses a header alg of %s with the kid %s (looked up on an object before) with 401: only RSA algorithms',
    async (alg, kid) => {
      const token = jwt(
        { alg, kid },
        claimsFor(me),
        rsaSigner(kid === 'rsa-1' ? k.trusted.privateKey : k.withoutAlg.privateKey),
      );
      expectRefused(await read(token), 'algorithm');
    },
  );

  it.each([
    ['a kid with CR/LF', { kid: 'rsa-1\r\nx-injected: 1' }, 'key'],
    ['a non-Latin-1 kid', { kid: 'ключ' }, 'key'],
    ['a kid that would forge a www-authenticate parameter', { kid: 'x" error="insufficient_scope' }, 'key'],
    ['an alg with CR/LF', { alg: 'RS256\r\n' }, 'algorithm'],
    ['a non-Latin-1 alg', { alg: 'RS256ключ' }, 'algorithm'],
  ] as const)('row 2: refuses %s with 401 and its own fixed description', async (_, header, reason) => {
    const answer = await read(valid(header));
    expectRefused(answer, reason);
    expect(answer.text).not.toMatch(/insufficient_scope|injected|ключ/);
  });

  it.each(['[', 'a b', 'x:99999'])(
    'row 3: refuses Host %j with 400, even with a valid token',
    async (host) => {
      const answer = await read(valid(), me, host);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ message: 'Bad Request' });
    },
  );

  it('row 4: refuses a token issued 120 s in the future: iat must be before the current time', async () => {
    expectRefused(await read(valid({}, claimsFor(me, { iat: nowSeconds() + 120 }))), 'issuedInFuture');
  });

  it.each([
    [
      'an RS256 token signed with ECDSA by the EC key of the set',
      () => jwt({ alg: 'RS256', kid: 'ec-1' }, claimsFor(me), ecSigner(k.ec.privateKey)),
      'key',
    ],
    [
      'a token without kid, signed by the key without kid',
      () => jwt({ alg: 'RS256' }, claimsFor(me), rsaSigner(k.withoutKid.privateKey)),
      'key',
    ],
    [
      'an HS256 token signed with the symmetric key of the set',
      () => jwt({ alg: 'HS256', kid: 'hmac-1' }, claimsFor(me), hmacSigner(k.hmacSecret)),
      'algorithm',
    ],
    [
      'an RS256 token naming the symmetric key (a 500 before)',
      () => jwt({ alg: 'RS256', kid: 'hmac-1' }, claimsFor(me), hmacSigner(k.hmacSecret)),
      'key',
    ],
  ] as const)('row 5: refuses %s with 401', async (_, make, reason) => {
    expectRefused(await read(make()), reason);
  });
});

describe('attack classes on the JWT authorizer', () => {
  it.each([
    [
      'alg confusion: HS256 keyed with the RSA public key',
      () =>
        jwt(
          { alg: 'HS256', kid: 'rsa-1' },
          claimsFor(me),
          hmacSigner(k.trusted.publicKey.export({ type: 'spki', format: 'pem' })),
        ),
      'algorithm',
    ],
    [
      'alg confusion: RS384 with a key that states RS256',
      () => jwt({ alg: 'RS384', kid: 'rsa-1' }, claimsFor(me), rsaSigner(k.trusted.privateKey, 'RSA-SHA384')),
      'key',
    ],
    [
      'alg confusion: RS256 with a key that states RS384',
      () => jwt({ alg: 'RS256', kid: 'rsa-384' }, claimsFor(me), rsaSigner(k.rs384.privateKey)),
      'key',
    ],
    [
      'alg confusion: ES256 with the EC key',
      () => jwt({ alg: 'ES256', kid: 'ec-1' }, claimsFor(me), ecSigner(k.ec.privateKey)),
      'algorithm',
    ],
    ['alg confusion: PS256', () => valid({ alg: 'PS256' }), 'algorithm'],
    ['alg confusion: lower-case rs256', () => valid({ alg: 'rs256' }), 'algorithm'],
    ['alg confusion: alg as an array', () => valid({ alg: ['RS256'] }), 'algorithm'],
    ['alg confusion: no alg', () => valid({ alg: undefined }), 'algorithm'],
    [
      'none: alg none and no signature',
      () => jwt({ alg: 'none', kid: 'rsa-1' }, claimsFor(me), noSignature),
      'malformed',
    ],
    ['none: alg none with a signature', () => valid({ alg: 'none' }), 'algorithm'],
    ['none: alg NONE', () => valid({ alg: 'NONE' }), 'algorithm'],
    ['key confusion: a kid the set does not have', () => valid({ kid: 'rsa-2' }), 'key'],
    ['key confusion: an empty kid', () => valid({ kid: '' }), 'key'],
    ['key confusion: a numeric kid', () => valid({ kid: 1 }), 'key'],
    [
      'key confusion: the encryption key',
      () => jwt({ alg: 'RS256', kid: 'rsa-enc' }, claimsFor(me), rsaSigner(k.encryption.privateKey)),
      'key',
    ],
    [
      'key confusion: the trusted kid signed by another key',
      () => jwt({ alg: 'RS256', kid: 'rsa-1' }, claimsFor(me), strangerSigner),
      'signature',
    ],
    [
      'key confusion: an embedded jwk of the signer',
      () => jwt({ alg: 'RS256', kid: 'mine', jwk: k.stranger.jwk }, claimsFor(me), strangerSigner),
      'key',
    ],
    [
      'key confusion: an embedded jwk under the trusted kid',
      () => jwt({ alg: 'RS256', kid: 'rsa-1', jwk: k.stranger.jwk }, claimsFor(me), strangerSigner),
      'signature',
    ],
    [
      'key confusion: a signature of another token',
      () =>
        `${valid().split('.').slice(0, 2).join('.')}.${valid({}, claimsFor('someone-else')).split('.')[2]}`,
      'signature',
    ],
    ['key confusion: a truncated signature', () => valid().slice(0, -10), 'signature'],
    [
      'the trusted key, RS384 stated and used',
      () => jwt({ alg: 'RS384', kid: 'rsa-384' }, claimsFor(me), rsaSigner(k.rs384.privateKey, 'RSA-SHA384')),
      200,
    ],
  ] as const)('%s', async (_, make, expected) => {
    await expectAnswer(make(), expected);
  });

  it.each([
    ['not a JWT at all', 'opaque-token'],
    ['two segments', valid().split('.').slice(0, 2).join('.')],
    ['four segments', `${valid()}.AAAA`],
    ['a header that is not base64url', `%%%.${valid().split('.').slice(1).join('.')}`],
    ['a JSON array as header', jwt([] as unknown as Record<string, unknown>, claimsFor(me), trustedSigner)],
    [
      'null as header',
      `${Buffer.from('null').toString('base64url')}.${valid().split('.').slice(1).join('.')}`,
    ],
    ['a JSON array as payload', jwt({ alg: 'RS256', kid: 'rsa-1' }, [claimsFor(me)], trustedSigner)],
  ])('malformed tokens: refuses %s with 401', async (_, token) => {
    expectRefused(await read(token), 'malformed');
  });

  it('refuses a request without a token with 401 and no challenge, as API Gateway does', async () => {
    const answer = await rawRequest(api.stack.apiUrl, { target: `/users/${me}/stats` });
    expect([answer.status, answer.body, answer.headers['www-authenticate']]).toEqual([
      401,
      { message: 'Unauthorized' },
      undefined,
    ]);
  });

  it('answers 431 to a token over the 10,240 bytes HTTP API allows for the request line and headers', async () => {
    const answer = await read(valid({}, claimsFor(me, { padding: 'x'.repeat(11_000) })));
    expect(answer.status).toBe(431);
  });
});
