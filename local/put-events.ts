import { entrySize } from '../lambda/publisher/batching.ts';
import type { BridgeEvent } from '../lambda/shared/contract/events.ts';
import {
  MAX_ENTRIES_PER_REQUEST,
  MAX_REQUEST_BYTES,
  PUT_EVENTS_MAX_DETAIL_DEPTH,
} from '../lambda/shared/contract/limits.ts';
import { readTimestamp } from './aws-json.ts';
import { bridgeEvent } from './bridge-event.ts';
import { AwsServiceError } from './errors.ts';

/** Buses every account has: an entry for one of them is accepted and matches none of this stack's rules. */
export const DEFAULT_BUS_NAME = 'default';

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

const STRING_MEMBERS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

/** Whether each member has the type the API model gives it (the SDKs' deserialization check). */
function wellTyped(entry: Record<string, unknown>): boolean {
  if (STRING_MEMBERS.some((m) => entry[m] !== undefined && typeof entry[m] !== 'string')) return false;
  const resources = entry.Resources;
  if (resources !== undefined && !(Array.isArray(resources) && resources.every((r) => typeof r === 'string')))
    return false;
  return entry.Time === undefined || typeof entry.Time === 'number' || typeof entry.Time === 'string';
}

/**
 * Deepest nesting of arrays and objects in a JSON text, counted without parsing and without
 * recursion, so that any depth is measured in constant stack.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
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
  if (entries.some((e) => e === null || typeof e !== 'object' || Array.isArray(e) || !wellTyped(e)))
    throw new AwsServiceError(
      'SerializationException',
      'Each entry must be a structure whose Source, DetailType, Detail and EventBusName are strings and Resources a list of strings.',
    );
  const typed = entries as PutEventsEntry[];
  const total = typed.reduce((sum, e) => sum + entrySize(e), 0);
  if (total > MAX_REQUEST_BYTES)
    throw new AwsServiceError(
      'ValidationException',
      `Total size of the entries in the request is over the limit (${total} > ${MAX_REQUEST_BYTES} bytes).`,
    );
  return typed;
}

const invalidArgument = (member: string): EntryFailure => ({
  errorCode: 'InvalidArgument',
  errorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
});

/** Where an entry goes: this stack's bus, or an account bus none of this stack's rules listens on. */
export type EntryDestination = 'bus' | 'default';

/**
 * The bus an entry names: no name is the account's `default` bus (PutEventsRequestEntry:
 * "If you omit this, the default event bus is used"); a name or an ARN must be a bus of this
 * account and region. `undefined`: no such bus.
 */
export function destinationOf(entry: PutEventsEntry, bus: BusIdentity): EntryDestination | undefined {
  const name = entry.EventBusName;
  if (name === undefined || name === '') return 'default';
  const arnPrefix = `arn:aws:events:${bus.region}:${bus.account}:event-bus/`;
  const local = name.startsWith('arn:')
    ? name.startsWith(arnPrefix)
      ? name.slice(arnPrefix.length)
      : ''
    : name;
  if (local === bus.busName) return 'bus';
  if (local === DEFAULT_BUS_NAME) return 'default';
  return undefined;
}

/**
 * Entry-level checks, reported per entry with the codes EventBridge uses; the other entries of the
 * request are still accepted.
 */
export function entryFailure(entry: PutEventsEntry, bus: BusIdentity): EntryFailure | undefined {
  for (const member of ['Source', 'DetailType', 'Detail'] as const)
    if (typeof entry[member] !== 'string' || entry[member] === '') return invalidArgument(member);
  if (destinationOf(entry, bus) === undefined)
    return {
      errorCode: 'ResourceNotFoundException',
      errorMessage: `Event bus ${entry.EventBusName} does not exist.`,
    };
  // Sources starting with "aws." belong to AWS services; no one may put events with them.
  if ((entry.Source as string).startsWith('aws.'))
    return {
      errorCode: 'NotAuthorizedForSourceException',
      errorMessage: `Not authorized for the source ${entry.Source}.`,
    };
  if (jsonDepth(entry.Detail as string) > PUT_EVENTS_MAX_DETAIL_DEPTH)
    return {
      errorCode: 'MalformedDetail',
      errorMessage: `Detail is nested deeper than ${PUT_EVENTS_MAX_DETAIL_DEPTH} levels, which PutEvents does not process.`,
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
  return bridgeEvent(
    entry.DetailType as string,
    JSON.parse(entry.Detail as string) as Record<string, unknown>,
    {
      source: entry.Source as string,
      account: bus.account,
      time: eventTime(entry.Time !== undefined ? readTimestamp(entry.Time, 'Time') : now),
      region: bus.region,
      resources: [...(entry.Resources ?? [])],
    },
  );
}
