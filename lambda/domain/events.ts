import * as z from 'zod';
import { canonicalHash } from './canonical.ts';
import { DEFAULT_EVENT_SOURCE } from './defaults.ts';
import { InvalidEventError } from './errors.ts';
import { type EventTypeDefinition, eventTypeOf } from './event-types.ts';
import { idempotencyKey } from './keys.ts';

/** An event as EventBridge hands it to a rule's target (the recording function's input). */
export interface BridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  /** Set on events an archive replay sends again. */
  readonly 'replay-name'?: string;
}

export { DEFAULT_EVENT_SOURCE } from './defaults.ts';

/**
 * Largest accepted detail, as UTF-8 JSON. EventBridge takes entries up to 1 MB, but each activity
 * stores the detail in one DynamoDB item, and an item is at most 400 KB with its other attributes.
 */
export const MAX_DETAIL_BYTES = 300_000;

/**
 * Deepest accepted nesting of the detail. Real payloads are a few levels deep; thousands of levels
 * would overflow the stack while validating and hashing, and the event would be retried in vain.
 */
export const MAX_DETAIL_DEPTH = 100;

/** Nesting depth of a JSON value, without recursion (the value may be hostile). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DETAIL_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** The parts of an EventBridge event this project reads; anything else is kept but ignored. */
const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  source: z.string(),
  'detail-type': z.string(),
  detail: z.unknown(),
  time: z.string().optional(),
  'replay-name': z.string().optional(),
});

/** An event that passed every contract rule, with everything needed to record it. */
export interface AcceptedEvent {
  /** EventBridge event id: for correlation only, never part of a key. */
  readonly eventId: string;
  /** Set when the event came from an archive replay. */
  readonly replayName?: string | undefined;
  readonly definition: EventTypeDefinition;
  readonly detailType: string;
  /** The validated, normalised detail (ids as strings, defaults applied, extra fields kept). */
  readonly detail: Record<string, unknown> & { tournamentId: string; occurredAt: string };
  readonly idempotencyKey: string;
  /** `tournament.<kind>.<status>`. */
  readonly activityType: string;
  readonly entityId: string;
  /** The affected users, deduplicated, in the order the publisher gave. */
  readonly userIds: readonly string[];
  /** `detail` as JSON text, computed once for every affected user's activity. */
  readonly payload: string;
  /** SHA-256 of the canonical form of `detail`: equal for a retry, different for another action. */
  readonly payloadHash: string;
}

function describe(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((issue) => {
    const path = issue.path.length > 0 ? `${prefix}.${issue.path.join('.')}` : prefix;
    return `${path}: ${issue.message}`;
  });
}

/**
 * Validates an EventBridge event against the contract and derives its key.
 * @param expectedSource the only `source` accepted (the stack's configured source)
 * @throws InvalidEventError naming every problem found, when the event breaks the contract
 */
export function acceptEvent(raw: unknown, expectedSource: string = DEFAULT_EVENT_SOURCE): AcceptedEvent {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) throw new InvalidEventError(describe(envelope.error.issues, 'event'));
  const event = envelope.data;
  if (event.source !== expectedSource)
    throw new InvalidEventError([
      `source: expected "${expectedSource}", got ${JSON.stringify(event.source)}`,
    ]);
  const definition = eventTypeOf(event['detail-type']);
  if (!definition)
    throw new InvalidEventError([
      `detail-type: ${JSON.stringify(event['detail-type'])} is not one of the contract's event types`,
    ]);
  if (event.detail === null || typeof event.detail !== 'object' || Array.isArray(event.detail))
    throw new InvalidEventError(['detail: must be a JSON object']);

  if (depthOf(event.detail) > MAX_DETAIL_DEPTH)
    throw new InvalidEventError([
      `detail: nested more than ${MAX_DETAIL_DEPTH} levels deep; flatten the extra fields`,
    ]);
  const size = Buffer.byteLength(JSON.stringify(event.detail), 'utf8');
  if (size > MAX_DETAIL_BYTES)
    throw new InvalidEventError([
      `detail: ${size} bytes of JSON, more than the ${MAX_DETAIL_BYTES} an activity can hold`,
    ]);
  const parsed = definition.schema.safeParse(event.detail);
  if (!parsed.success) throw new InvalidEventError(describe(parsed.error.issues, 'detail'));
  const detail = parsed.data as AcceptedEvent['detail'];

  const entityId = detail[definition.entityIdField] as string;
  const status = definition.status(detail);
  const revision = detail.revision as number | undefined;
  return {
    eventId: event.id,
    replayName: event['replay-name'],
    definition,
    detailType: definition.detailType,
    detail,
    idempotencyKey: idempotencyKey({ kind: definition.kind, entityId, status, revision }),
    activityType: `tournament.${definition.kind}.${definition.activityStatus?.(detail) ?? status}`,
    entityId,
    userIds: detail[definition.usersField] as string[],
    payload: JSON.stringify(detail),
    payloadHash: canonicalHash(detail),
  };
}
