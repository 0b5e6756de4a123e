import { createHash } from 'node:crypto';
import { type ApiRequest, type ApiResponse, json } from './serve-routes.ts';

/**
 * Conditional reads of statistics. The ETag is derived from the representation itself, so it
 * changes exactly when the body does: a version counter would start again after an erasure and
 * its undo, and tell a client holding the old ETag that different statistics were unchanged.
 */

/** Caches may keep a user's statistics but must ask again before each use. */
const CACHE_CONTROL = 'private, no-cache';

/** A strong ETag of a body: 128 bits of its SHA-256, in base64url (no character an ETag forbids). */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** `If-None-Match` matches `etag` (a list, `*`, or a weak form of it). */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** `body` as JSON with its ETag, or `304` without a body when the request's `If-None-Match` holds it. */
export function conditionalJson(request: ApiRequest, body: unknown): ApiResponse {
  const answer = json(200, body);
  const etag = etagOf(answer.body);
  const headers = { etag, 'cache-control': CACHE_CONTROL };
  if (matchesETag(request.headers['if-none-match'], etag)) return { statusCode: 304, headers, body: '' };
  return { ...answer, headers: { ...answer.headers, ...headers } };
}
