import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

import { JwtRejectedError } from './errors.ts';

/** A JSON Web Key Set, as an issuer publishes it at its `jwks_uri`. */
export interface JsonWebKeySet {
  readonly keys: readonly (JsonWebKey & { readonly kid?: string; readonly alg?: string })[];
}

/** What the local JWT authorizer checks, as API Gateway's JWT authorizer does. */
export interface JwtAuthorizerSettings {
  readonly issuer: string;
  /** Accepted `aud` values (or `client_id` when the token has no `aud`). */
  readonly audience: readonly string[];
  readonly keys: JsonWebKeySet;
}

const ALGORITHMS: Readonly<Record<string, string>> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

function part(segment: string | undefined, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {}
  throw new JwtRejectedError(`the token's ${what} is not base64url JSON`);
}

/**
 * Verifies a JWT the way API Gateway's HTTP API JWT authorizer does: RSA signature by the key named
 * by `kid`, `iss` equal to the issuer, `aud` (or `client_id` when `aud` is absent) among the
 * audiences, and `exp`, `nbf` and `iat` against the clock. Returns the claims.
 */
export function verifyJwt(
  token: string,
  settings: JwtAuthorizerSettings,
  now = Date.now(),
): Record<string, unknown> {
  const [headerPart, payloadPart, signaturePart, ...rest] = token.split('.');
  if (rest.length > 0 || signaturePart === undefined)
    throw new JwtRejectedError('the token is not a signed JWT');
  const header = part(headerPart, 'header');
  const claims = part(payloadPart, 'payload');
  const hash = ALGORITHMS[String(header.alg)];
  if (!hash)
    throw new JwtRejectedError(`signing algorithm ${String(header.alg)} is not supported (RSA only)`);
  const jwk = settings.keys.keys.find((key) => key.kid === header.kid);
  if (!jwk) throw new JwtRejectedError(`no key ${String(header.kid)} in the issuer's key set`);
  const valid = verify(
    hash,
    Buffer.from(`${headerPart}.${payloadPart}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) throw new JwtRejectedError('the token signature is invalid');
  if (claims.iss !== settings.issuer) throw new JwtRejectedError('the token does not have a valid issuer');
  const audiences = claims.aud === undefined ? [claims.client_id] : [claims.aud].flat();
  if (!audiences.some((aud) => typeof aud === 'string' && settings.audience.includes(aud)))
    throw new JwtRejectedError('the token does not have a valid audience');
  const seconds = now / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= seconds)
    throw new JwtRejectedError('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf > seconds)
    throw new JwtRejectedError('the token is not valid yet');
  if (typeof claims.iat === 'number' && claims.iat > seconds + 300)
    throw new JwtRejectedError('the token was issued in the future');
  return claims;
}
