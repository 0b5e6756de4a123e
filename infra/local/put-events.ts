import { randomUUID } from 'node:crypto';
import type { BridgeEvent } from '../../lambda/domain/events.ts';
import { AwsServiceError, readTimestamp } from './aws-json.ts';

export type { BridgeEvent } from '../../lambda/domain/events.ts';

/** Most entries one PutEvents request may carry. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * Largest total entry size of one request, computed the way EventBridge documents it
 * (see {@link entrySize}). The limit was 256 KB until January 2026 and is 1 MB since.
 */
export const MAX_REQUEST_ENTRY_BYTES = 1024 * 1024;

/** One `PutEventsRequestEntry` as it arrives on the wire. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: number | string;
  readonly Resources?: readonly string[];
  readonly TraceHeader?: string;
}

/** A per-entry failure, reported in the response instead of an event id. */
export interface EntryFailure {
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Where the local bus lives (names and ARNs in events and responses). */
export interface BusIdentity {
  readonly busName: string;
  readonly region: string;
  readonly account: string;
}

/** The documented entry size: Time 14 bytes, then Source, DetailType, Detail and Resources as UTF-8. */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** Request-level checks: these fail the whole request, like AWS's validation layer. */
export function validateRequest(input: Record<string, unknown>): PutEventsEntry[] {
  const entries = input.Entries;
  if (!Array.isArray(entries))
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  if (entries.length < 1 || entries.length > MAX_ENTRIES_PER_REQUEST)
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ` +
        `less than or equal to ${MAX_ENTRIES_PER_REQUEST} and greater than or equal to 1 (got ${entries.length})`,
    );
  if (entries.some((e) => e === null || typeof e !== 'object' || Array.isArray(e)))
    throw new AwsServiceError('SerializationException', 'Each entry must be a structure.');
  const typed = entries as PutEventsEntry[];
  const total = typed.reduce((sum, e) => sum + entrySize(e), 0);
  if (total > MAX_REQUEST_ENTRY_BYTES)
    throw new AwsServiceError(
      'ValidationException',
      `Total size of the entries in the request is over the limit (${total} > ${MAX_REQUEST_ENTRY_BYTES} bytes).`,
    );
  return typed;
}

const invalidArgument = (member: string): EntryFailure => ({
  errorCode: 'InvalidArgument',
  errorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
});

/**
 * Entry-level checks, reported per entry with the codes EventBridge uses; the other entries of the
 * request are still accepted.
 */
export function entryFailure(entry: PutEventsEntry, bus: BusIdentity): EntryFailure | undefined {
  for (const member of ['Source', 'DetailType', 'Detail'] as const)
    if (typeof entry[member] !== 'string' || entry[member] === '') return invalidArgument(member);
  const busName = entry.EventBusName;
  if (busName !== undefined && busName !== bus.busName && !busName.endsWith(`:event-bus/${bus.busName}`))
    return {
      errorCode: 'ResourceNotFoundException',
      errorMessage: `Event bus ${busName} does not exist.`,
    };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  if (entry.Time !== undefined) {
    try {
      readTimestamp(entry.Time, 'Time');
    } catch {
      return { errorCode: 'InvalidArgument', errorMessage: 'Parameter Time is not valid.' };
    }
  }
  return undefined;
}

/** EventBridge's `time` format: UTC, second precision. */
function eventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The event a valid entry becomes on the bus. */
export function toBridgeEvent(entry: PutEventsEntry, bus: BusIdentity, now = new Date()): BridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType as string,
    source: entry.Source as string,
    account: bus.account,
    time: eventTime(entry.Time !== undefined ? readTimestamp(entry.Time, 'Time') : now),
    region: bus.region,
    resources: [...(entry.Resources ?? [])],
    detail: JSON.parse(entry.Detail as string) as Record<string, unknown>,
  };
}
