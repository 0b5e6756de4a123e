import { createHash } from 'node:crypto';
import { canonicalHash } from './canonical.ts';
import { MAX_DEAD_LETTER_REASONS, MAX_REASON_CHARS, MAX_STORED_EVENT_BYTES } from './limits.ts';

/** Why a dead letter exists. */
export type DeadLetterKind = 'invalid' | 'delivery-failed';

/** An event an operator must look at: rejected by the contract, or undeliverable after retries. */
export interface DeadLetter {
  /** Derived from the event's content: the same event stored twice is one dead letter. */
  readonly deadLetterId: string;
  readonly kind: DeadLetterKind;
  /** Human-readable reasons, one per problem. */
  readonly reasons: readonly string[];
  /** The whole original event, exactly as received (JSON text). */
  readonly event: string;
  /** EventBridge `detail-type`, when the event had one (for listing). */
  readonly detailType?: string | undefined;
  /** EventBridge id of the delivery that was rejected. */
  readonly eventId?: string | undefined;
  readonly storedAt: string;
}

/** Stores dead letters; storing the same one twice keeps one. */
export interface DeadLetterWriter {
  put(deadLetter: DeadLetter): Promise<void>;
}

/** A dead letter for `event`, keyed by the content that matters (source, detail-type, detail). */
export function deadLetterFor(
  event: unknown,
  kind: DeadLetterKind,
  reasons: readonly string[],
  now: Date,
): DeadLetter {
  const record = (event ?? {}) as Record<string, unknown>;
  const identity =
    typeof event === 'object' && event !== null
      ? { source: record.source, detailType: record['detail-type'], detail: record.detail }
      : { raw: event };
  // A dead letter must always be storable: a detail nested too deeply to serialise, or an event too
  // large for one DynamoDB item, is replaced by a note (the original stays in the bus archive). Any
  // event whose detail is within MAX_DETAIL_BYTES is kept whole, so it can be redriven.
  const text = serialised(event);
  if (text === undefined || Buffer.byteLength(text, 'utf8') > MAX_STORED_EVENT_BYTES) {
    const note =
      text === undefined
        ? 'detail nested too deeply to store: ask the publisher to flatten it'
        : `detail of ${Buffer.byteLength(text, 'utf8')} bytes not stored: more than a dead letter holds`;
    const deadLetterId =
      text === undefined
        ? idOf(kind, JSON.stringify([identity.source, identity.detailType, note]))
        : `${kind}:${canonicalHash(identity).slice(0, 32)}`;
    return { ...deadLetterFor({ ...record, detail: `[${note}]` }, kind, reasons, now), deadLetterId };
  }
  return {
    deadLetterId: `${kind}:${canonicalHash(identity).slice(0, 32)}`,
    kind,
    reasons: boundedReasons(reasons),
    event: JSON.stringify(event ?? null),
    detailType: typeof record['detail-type'] === 'string' ? record['detail-type'] : undefined,
    eventId: typeof record.id === 'string' ? record.id : undefined,
    storedAt: now.toISOString(),
  };
}

/** At most {@link MAX_DEAD_LETTER_REASONS} reasons of at most {@link MAX_REASON_CHARS} characters, then a count. */
function boundedReasons(reasons: readonly string[]): string[] {
  const kept = reasons
    .slice(0, MAX_DEAD_LETTER_REASONS)
    .map((r) => (r.length > MAX_REASON_CHARS ? `${r.slice(0, MAX_REASON_CHARS)}…` : r));
  const more = reasons.length - kept.length;
  return more > 0 ? [...kept, `… and ${more} more reasons of the same event`] : kept;
}

/** Whether a dead letter holds its whole original event (and can be published again as it is). */
export function holdsWholeEvent(deadLetter: Pick<DeadLetter, 'event'>): boolean {
  try {
    const event = JSON.parse(deadLetter.event) as { detail?: unknown } | null;
    const detail = event?.detail;
    return detail !== null && typeof detail === 'object' && !Array.isArray(detail);
  } catch {
    return false;
  }
}

/**
 * The archive window that brings back a dead letter's event when the dead letter could not keep it
 * whole: one minute from the event's time (EventBridge `time` has second precision), or, without a
 * time, the day before the dead letter was stored (the longest an event is retried).
 */
export function replayWindowOf(deadLetter: Pick<DeadLetter, 'event' | 'storedAt'>): {
  from: string;
  to: string;
} {
  let time: unknown;
  try {
    time = (JSON.parse(deadLetter.event) as { time?: unknown } | null)?.time;
  } catch {
    time = undefined;
  }
  const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (Number.isNaN(at)) {
    const stored = Date.parse(deadLetter.storedAt);
    return { from: new Date(stored - 86_400_000).toISOString(), to: new Date(stored).toISOString() };
  }
  return { from: new Date(at).toISOString(), to: new Date(at + 60_000).toISOString() };
}

function serialised(value: unknown): string | undefined {
  try {
    return JSON.stringify(value ?? null);
  } catch {
    return undefined;
  }
}

function idOf(kind: DeadLetterKind, text: string): string {
  return `${kind}:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

const SINGLE_USER_FIELDS = ['submittedByUserId', 'openedByUserId'] as const;
const USER_LIST_FIELDS = ['userIds', 'participantUserIds', 'winnerUserIds'] as const;

/**
 * Every user id an event names, as strings (ids may arrive as numbers): what recording checks
 * before keeping an invalid event, and what an erasure checks of each dead letter. Dead letters
 * hold events that broke the contract, so anything of an unexpected shape is ignored here.
 */
export function usersNamedBy(event: unknown): Set<string> {
  const named = new Set<string>();
  const detail = (event as { detail?: unknown } | null)?.detail;
  if (typeof detail !== 'object' || detail === null) return named;
  const fields = detail as Record<string, unknown>;
  const add = (value: unknown) => {
    if (typeof value === 'string' || typeof value === 'number') named.add(String(value));
  };
  for (const field of SINGLE_USER_FIELDS) add(fields[field]);
  for (const field of USER_LIST_FIELDS) {
    const list = fields[field];
    if (Array.isArray(list)) for (const value of list) add(value);
  }
  return named;
}
