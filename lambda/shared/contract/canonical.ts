import { createHash } from 'node:crypto';
import { utcInstant } from './instant.ts';

/**
 * Prefix of the payload hashes this version writes. Hashes without it were written before the
 * contract defined instants and user lists canonically (see {@link legacyPayloadHash}).
 */
export const PAYLOAD_HASH_VERSION = 'v2';

/** JSON objects, read as data: every own key is a field, `__proto__` and `constructor` included. */
type JsonObject = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * JSON text with object keys sorted (by UTF-16 code units) at every level. It is written directly
 * from the value's own keys, never through an intermediate object, so a field named `__proto__`
 * is serialised like any other instead of setting a prototype.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (isObject(value)) {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const child = value[key];
      if (child === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJson(child)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What the canonical form needs to know about a validated detail besides its fields. */
export interface CanonicalShape {
  /** Fields holding user lists: compared as sets. */
  readonly userListFields: readonly string[];
}

/**
 * The canonical form of a validated detail, as the contract defines it: keys sorted, ids already
 * normalised by validation, user lists as sorted sets, `occurredAt` as the UTC millisecond instant,
 * every other field as received. Returns JSON text.
 */
export function canonicalDetail(detail: JsonObject, shape: CanonicalShape): string {
  const canonical: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(detail)) canonical[key] = detail[key];
  if (typeof detail.occurredAt === 'string')
    canonical.occurredAt = utcInstant(detail.occurredAt) ?? detail.occurredAt;
  for (const field of shape.userListFields) {
    const list = detail[field];
    if (Array.isArray(list)) canonical[field] = [...new Set(list.map(String))].sort();
  }
  return canonicalJson(canonical);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `v2:` + SHA-256 (hex) of the canonical form: equal for one action however it was spelled. */
export function payloadHash(detail: JsonObject, shape: CanonicalShape): string {
  return `${PAYLOAD_HASH_VERSION}:${sha256(canonicalDetail(detail, shape))}`;
}

/**
 * The hash the previous version stored (no prefix): SHA-256 of the validated detail with keys
 * sorted, `occurredAt` as sent and user lists in the order sent. It is the previous algorithm
 * unchanged, including its loss of fields named `__proto__`; only compared against stored items
 * that carry no payload to recompute the current form from.
 */
export function legacyPayloadHash(detail: JsonObject): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== 'object') return value;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as JsonObject)[key]);
    return sorted;
  };
  return sha256(JSON.stringify(sortKeys(detail)));
}

/** Whether a stored hash was written by this version's canonical form. */
export const isCurrentHash = (hash: string): boolean => hash.startsWith(`${PAYLOAD_HASH_VERSION}:`);

/** SHA-256 (hex) of the canonical JSON of any value (dead-letter identity). */
export function canonicalHash(value: unknown): string {
  return sha256(canonicalJson(value));
}
