import * as z from 'zod/mini';
import { InvalidEventError } from '../errors.ts';
import { type SmallFields, smallFieldsOf } from './activity.ts';
import { payloadHash } from './canonical.ts';
import { DEFAULT_EVENT_SOURCE } from './defaults.ts';
import { type EventTypeDefinition, eventTypeOf, fieldsOf } from './event-types.ts';
import { utcInstant } from './instant.ts';
import { idempotencyKey } from './keys.ts';
import { MAX_DETAIL_BYTES, MAX_DETAIL_DEPTH } from './limits.ts';
import { contractSchema } from './zod.ts';

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
const envelopeSchema = contractSchema(() =>
  z.looseObject({
    id: z.string().check(z.minLength(1)),
    source: z.string(),
    'detail-type': z.string(),
    detail: z.unknown(),
    time: z.optional(z.string()),
    'replay-name': z.optional(z.string()),
  }),
);

/** An event that passed every contract rule, with everything needed to record it. */
export interface AcceptedEvent {
  /** EventBridge event id: for correlation only, never part of a key. */
  readonly eventId: string;
  /** Set when the event came from an archive replay. */
  readonly replayName?: string | undefined;
  readonly definition: EventTypeDefinition;
  readonly detailType: string;
  /**
   * The validated detail: ids as strings, defaults applied, user lists deduplicated, extra fields
   * kept whatever their names (a null-prototype object, so `__proto__` is a field like any other).
   */
  readonly detail: Record<string, unknown> & { tournamentId: string; occurredAt: string };
  /** `occurredAt` as the UTC millisecond instant (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
  readonly occurredAt: string;
  readonly idempotencyKey: string;
  /** `tournament.<kind>.<status>`. */
  readonly activityType: string;
  readonly entityId: string;
  /** The affected users, deduplicated, in the order the publisher gave. */
  readonly userIds: readonly string[];
  /** Winners named by the detail (finalizations and completions), for each user's role. */
  readonly winners: ReadonlySet<string>;
  /** Fields of the detail that hold user lists (compared as sets). */
  readonly userListFields: readonly string[];
  /** The contract's scalar fields every activity of this event keeps. */
  readonly fields: SmallFields;
  /** `v2:` + SHA-256 of the canonical form of `detail`: equal for a retry, different for another action. */
  readonly payloadHash: string;
}

function describe(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((issue) => {
    const path = issue.path.length > 0 ? `${prefix}.${issue.path.join('.')}` : prefix;
    return `${path}: ${issue.message}`;
  });
}

/** One problem of a detail: the dotted path of the field (`""` for the detail as a whole) and what is wrong. */
export interface DetailIssue {
  readonly path: string;
  readonly message: string;
}

/** What {@link checkDetail} found: the validated detail, or every problem (with zod's error when it found them). */
export type DetailCheck =
  | { readonly ok: true; readonly data: Record<string, unknown> }
  | { readonly ok: false; readonly issues: readonly DetailIssue[]; readonly cause?: z.core.$ZodError };

/**
 * Judges a detail of one event type by every rule of the contract: a JSON object, at most
 * {@link MAX_DETAIL_DEPTH} levels deep and {@link MAX_DETAIL_BYTES} bytes, then the type's schema
 * with its cross-field rules. The recording side and the publisher both judge with it, so what one
 * accepts the other accepts.
 */
export function checkDetail(definition: EventTypeDefinition, detail: unknown): DetailCheck {
  const refused = (message: string): DetailCheck => ({ ok: false, issues: [{ path: '', message }] });
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return refused('must be a JSON object');
  if (depthOf(detail) > MAX_DETAIL_DEPTH)
    return refused(`nested more than ${MAX_DETAIL_DEPTH} levels deep; flatten the extra fields`);
  const size = Buffer.byteLength(JSON.stringify(detail), 'utf8');
  if (size > MAX_DETAIL_BYTES)
    return refused(
      `${size} bytes of JSON, more than the ${MAX_DETAIL_BYTES} the contract allows: move large data out of the event`,
    );
  const parsed = definition.schema.safeParse(detail);
  if (parsed.success) return { ok: true, data: parsed.data as Record<string, unknown> };
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return { ok: false, issues, cause: parsed.error };
}

/**
 * Validates an EventBridge event against the contract and derives its key.
 * @param expectedSource the only `source` accepted (the stack's configured source)
 * @throws InvalidEventError naming every problem found, when the event breaks the contract
 */
export function acceptEvent(raw: unknown, expectedSource: string = DEFAULT_EVENT_SOURCE): AcceptedEvent {
  const envelope = envelopeSchema().safeParse(raw);
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
  const checked = checkDetail(definition, event.detail);
  if (!checked.ok)
    throw new InvalidEventError(
      checked.issues.map((i) => `${i.path ? `detail.${i.path}` : 'detail'}: ${i.message}`),
    );
  const detail = withExtraFields(checked.data, event.detail as object) as AcceptedEvent['detail'];
  const occurredAt = utcInstant(detail.occurredAt) as string;

  const entityId = detail[definition.entityIdField] as string;
  const status = definition.status(detail);
  const revision = detail.revision as number | undefined;
  const contract = fieldsOf(definition);
  const userListFields = contract.filter((field) => Array.isArray(detail[field]));
  return {
    eventId: event.id,
    replayName: event['replay-name'],
    definition,
    detailType: definition.detailType,
    detail,
    occurredAt,
    idempotencyKey: idempotencyKey({ kind: definition.kind, entityId, status, revision }),
    activityType: `tournament.${definition.kind}.${definition.activityStatus?.(detail) ?? status}`,
    entityId,
    userIds: detail[definition.usersField] as string[],
    winners: new Set(Array.isArray(detail.winnerUserIds) ? (detail.winnerUserIds as string[]) : []),
    userListFields,
    fields: smallFieldsOf(detail, contract),
    payloadHash: payloadHash(detail, { userListFields }),
  };
}

/**
 * The validated detail with every extra field of the raw one, on a null-prototype object: the
 * schema drops a field named `__proto__` (assigning it would set a prototype), but the contract
 * keeps extra fields whatever their names.
 */
function withExtraFields(validated: Record<string, unknown>, raw: object): Record<string, unknown> {
  const detail: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(validated)) detail[key] = validated[key];
  for (const key of Object.keys(raw))
    if (!Object.hasOwn(detail, key)) detail[key] = (raw as Record<string, unknown>)[key];
  return detail;
}
