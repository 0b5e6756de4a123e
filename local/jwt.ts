import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { JwtRejectedError } from './errors.ts';

/**
 * The rules below are API Gateway's, as "Control access to HTTP APIs with JWT authorizers" states
 * them (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html,
 * "Authorizing API requests"): decode the token, check its algorithm and signature with the
 * issuer's public key ("only RSA-based algorithms are supported"), then the claims kid, iss,
 * aud/client_id, exp, nbf and iat. "If any of these steps fail, API Gateway denies the API request."
 */

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

/**
 * Every description a refusal may carry: fixed texts, never a part of the token, so nothing a
 * caller sends reaches a response header. The audience one is API Gateway's own wording
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html);
 * AWS does not document the others.
 */
export const JWT_REJECTIONS = {
  malformed: 'the token is not a signed JWT',
  algorithm: 'the token is not signed with an RSA algorithm (RS256, RS384, RS512)',
  key: "the token's kid does not name an RSA signing key of the issuer",
  signature: 'the token signature is invalid',
  issuer: 'the token does not have a valid issuer',
  audience: 'the token does not have a valid audience',
  expired: 'the token has expired',
  notYetValid: 'the token is not valid yet',
  issuedInFuture: 'the token was issued in the future',
} as const;

/** RSA algorithms only ("Currently, only RSA-based algorithms are supported", step 3). */
const RSA_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['RS256', 'sha256'],
  ['RS384', 'sha384'],
  ['RS512', 'sha512'],
]);

const reject = (reason: keyof typeof JWT_REJECTIONS): never => {
  throw new JwtRejectedError(JWT_REJECTIONS[reason]);
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A JWS segment's JSON object ("Decode the token", step 2); anything else is malformed. */
function decoded(segment: string): Record<string, unknown> {
  if (!BASE64URL.test(segment)) reject('malformed');
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {}
  return reject('malformed');
}

/**
 * The issuer's key the token names. "kid – The token must have a header claim that matches the key
 * in the jwks_uri that signed the token": a token without `kid`, or a key without one, never
 * matches. The algorithm is tied to the key: an RSA key (`kty` RSA), for signing, whose own `alg`
 * (when it states one) is the token's. Key-locating header parameters (`jku`, `x5u`, `x5c`, `jwk`)
 * are never followed: API Gateway uses the keys from the issuer's `jwks_uri` only (step 3).
 */
function signingKey(kid: unknown, alg: string, keys: JsonWebKeySet): KeyObject {
  if (typeof kid !== 'string' || kid === '') return reject('key');
  const jwk = keys.keys.find((key) => typeof key.kid === 'string' && key.kid === kid);
  if (jwk?.kty !== 'RSA' || (jwk.alg !== undefined && jwk.alg !== alg)) return reject('key');
  if (jwk.use !== undefined && jwk.use !== 'sig') return reject('key');
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    if (key.asymmetricKeyType === 'rsa') return key;
  } catch {}
  return reject('key');
}

const isNumericDate = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** The claims API Gateway evaluates after the signature (step 4). */
function checkClaims(claims: Record<string, unknown>, settings: JwtAuthorizerSettings, seconds: number) {
  // "iss – Must match the issuer that is configured for the authorizer."
  if (claims.iss !== settings.issuer) reject('issuer');
  // "aud or client_id – Must match one of the audience entries that is configured for the
  // authorizer. API Gateway validates client_id only if aud is not present." (troubleshooting page)
  const audiences = claims.aud === undefined ? [claims.client_id] : [claims.aud].flat();
  if (!audiences.some((aud) => typeof aud === 'string' && settings.audience.includes(aud)))
    reject('audience');
  // "exp – Must be after the current time in UTC."
  if (!isNumericDate(claims.exp) || claims.exp <= seconds) reject('expired');
  // "nbf – Must be before the current time in UTC."
  if (claims.nbf !== undefined && !(isNumericDate(claims.nbf) && claims.nbf <= seconds))
    reject('notYetValid');
  // "iat – Must be before the current time in UTC." No clock skew is allowed for.
  if (claims.iat !== undefined && !(isNumericDate(claims.iat) && claims.iat <= seconds))
    reject('issuedInFuture');
}

/**
 * Verifies a JWT the way API Gateway's HTTP API JWT authorizer does and returns its claims; throws
 * {@link JwtRejectedError} with one of {@link JWT_REJECTIONS} otherwise (never another error).
 */
export function verifyJwt(
  token: string,
  settings: JwtAuthorizerSettings,
  now = Date.now(),
): Record<string, unknown> {
  const segments = token.split('.');
  if (segments.length !== 3) reject('malformed');
  const [headerPart, payloadPart, signaturePart] = segments as [string, string, string];
  const header = decoded(headerPart);
  const claims = decoded(payloadPart);
  if (!BASE64URL.test(signaturePart)) reject('malformed');
  const hash = typeof header.alg === 'string' ? RSA_ALGORITHMS.get(header.alg) : undefined;
  if (!hash) return reject('algorithm');
  const key = signingKey(header.kid, header.alg as string, settings.keys);
  let valid = false;
  try {
    valid = verify(
      hash,
      Buffer.from(`${headerPart}.${payloadPart}`),
      key,
      Buffer.from(signaturePart, 'base64url'),
    );
  } catch {}
  if (!valid) reject('signature');
  checkClaims(claims, settings, now / 1000);
  return claims;
}

/** The JWT authorizer's answer to one request's `Authorization` header. */
export type JwtAuthorization =
  | { readonly ok: true; readonly claims: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly wwwAuthenticate?: string };

const FIXED_DESCRIPTIONS = new Set<string>(Object.values(JWT_REJECTIONS));

/**
 * API Gateway's answer to a bearer token: the claims as the integration receives them (strings), or
 * a refusal whose `www-authenticate` has the documented shape
 * (`Bearer scope="" error="invalid_token" error_description="..."`, troubleshooting page) with a
 * fixed description. No token: a refusal without the header.
 */
export function authorizeBearer(
  header: string | undefined,
  settings: JwtAuthorizerSettings,
  now = Date.now(),
): JwtAuthorization {
  if (!header) return { ok: false };
  try {
    // "The identitySource can include only the token, or the token prefixed with Bearer."
    const claims = verifyJwt(header.replace(/^Bearer\s+/i, ''), settings, now);
    return {
      ok: true,
      claims: Object.fromEntries(
        Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    };
  } catch (error) {
    const message = error instanceof JwtRejectedError ? error.message : '';
    const description = FIXED_DESCRIPTIONS.has(message) ? message : JWT_REJECTIONS.malformed;
    return {
      ok: false,
      wwwAuthenticate: `Bearer scope="" error="invalid_token" error_description="${description}"`,
    };
  }
}
