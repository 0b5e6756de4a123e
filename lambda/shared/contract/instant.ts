import { MAX_UTC_YEAR, MIN_UTC_YEAR } from './limits.ts';
/**
 * Instants as the contract compares them: the UTC instant at millisecond precision, in the years
 * 0000–9999 after conversion to UTC. `2026-05-01T10:00:00.123456+00:00`, `…10:00:00.123Z` and
 * `…12:00:00.123+02:00` are one instant; finer digits than milliseconds are truncated.
 */

/**
 * The UTC form of an ISO-8601 instant with a zone (`YYYY-MM-DDTHH:mm:ss.sssZ`), or `undefined` when
 * it does not parse or its UTC year falls outside 0000–9999.
 * @example utcInstant('2026-05-01T12:00:00.123456+02:00') // '2026-05-01T10:00:00.123Z'
 */
export function utcInstant(iso: string): string | undefined {
  const date = new Date(iso);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < MIN_UTC_YEAR || year > MAX_UTC_YEAR) return undefined;
  return date.toISOString();
}
