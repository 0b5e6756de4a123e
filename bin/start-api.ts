import { readFile } from 'node:fs/promises';
import type { JsonWebKeySet } from '../local/jwt.ts';
import type { LocalApiAuth, ThrottleSettings } from '../local/read-api.ts';

/** Default port of the local profile read API. */
export const DEFAULT_API_PORT = 4011;

type Values = Record<string, string | boolean | undefined>;

function positive(value: string | boolean | undefined, name: string, fail: (m: string) => never) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`${name} must be a number > 0, got "${value}"`);
  return n;
}

/**
 * The key set in `--jwks-file`, refused at start when API Gateway could use none of it: its JWT
 * authorizer takes only RSA-signed tokens whose `kid` names a key of the set (see infra/local/jwt.ts).
 */
function keySet(value: unknown, file: string, fail: (message: string) => never): JsonWebKeySet {
  const keys: unknown = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((key) => key !== null && typeof key === 'object'))
    fail(`--jwks-file ${file} is not a JSON Web Key Set: it must hold {"keys": [ ...keys ]}`);
  const usable = (keys as Record<string, unknown>[]).filter(
    (key) => key.kty === 'RSA' && typeof key.kid === 'string' && key.kid !== '',
  );
  if (usable.length === 0)
    fail(
      `--jwks-file ${file} has no RSA key with a kid: tokens are accepted only when signed with RS256, RS384 or RS512 by a key the set names with a kid; add the issuer's RSA signing keys`,
    );
  return { keys } as JsonWebKeySet;
}

/** The read API's settings from `npm start`'s options; `fail` reports a usage error. */
export async function apiSettings(
  values: Values,
  fail: (message: string) => never,
): Promise<{ port: number; auth: LocalApiAuth; throttle?: ThrottleSettings }> {
  const mode = (values['api-auth'] as string | undefined) ?? 'iam';
  if (mode !== 'iam' && mode !== 'jwt') fail(`--api-auth must be iam or jwt, got "${mode}"`);
  let auth: LocalApiAuth = { mode: 'iam' };
  if (mode === 'jwt') {
    const issuer = values['jwt-issuer'] as string | undefined;
    const audience = (values['jwt-audience'] as string | undefined)?.split(',').filter(Boolean) ?? [];
    const file = values['jwks-file'] as string | undefined;
    if (!issuer || audience.length === 0 || !file)
      fail('--api-auth jwt needs --jwt-issuer, --jwt-audience and --jwks-file');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      fail(`--jwks-file ${file} is not a readable JSON Web Key Set: ${(error as Error).message}`);
    }
    auth = { mode: 'jwt', issuer, audience, keys: keySet(parsed, file, fail) };
  }
  const rateLimit = positive(values['api-rate-limit'], '--api-rate-limit', fail);
  const burstLimit = positive(values['api-burst-limit'], '--api-burst-limit', fail);
  return {
    port: DEFAULT_API_PORT,
    auth,
    ...(rateLimit !== undefined
      ? { throttle: { rateLimit, burstLimit: burstLimit ?? Math.max(1, rateLimit) } }
      : {}),
  };
}
