import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSettings } from '../../bin/start-api.ts';
import { rsaKey } from './attack-support.ts';

// `npm start -- --api-auth jwt ...` refuses a key set API Gateway could use none of, at start,
// instead of refusing every token later.

class UsageError extends Error {}
const fail = (message: string): never => {
  throw new UsageError(message);
};

describe('--jwks-file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jwks-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const settingsWith = async (content: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, content);
    return apiSettings(
      { 'api-auth': 'jwt', 'jwt-issuer': 'https://id.example', 'jwt-audience': 'app', 'jwks-file': file },
      fail,
    );
  };

  it.each([
    ['not JSON', '{', /is not a readable JSON Web Key Set/],
    ['null', 'null', /must hold \{"keys": \[ \.\.\.keys \]\}/],
    ['keys that is not an array', '{"keys": {}}', /must hold \{"keys"/],
    ['a key that is not an object', '{"keys": [1]}', /must hold \{"keys"/],
    [
      'only symmetric and EC keys',
      '{"keys": [{"kty":"oct","kid":"a","k":"c2VjcmV0"},{"kty":"EC","kid":"b"}]}',
      /has no RSA key with a kid/,
    ],
    [
      'an RSA key without kid',
      JSON.stringify({ keys: [rsaKey(undefined).jwk] }),
      /has no RSA key with a kid/,
    ],
  ])('refuses a file holding %s, saying what to put in it', async (_, content, message) => {
    await expect(settingsWith(content)).rejects.toThrow(message);
  });

  it('keeps every key of a set that has an RSA key with a kid', async () => {
    const keys = [rsaKey('rsa-1').jwk, { kty: 'oct', kid: 'h', k: 'c2VjcmV0' }];
    const settings = await settingsWith(JSON.stringify({ keys }));
    expect(settings.auth).toMatchObject({ mode: 'jwt', issuer: 'https://id.example', audience: ['app'] });
    expect(settings.auth.mode === 'jwt' && settings.auth.keys.keys).toHaveLength(2);
  });
});
