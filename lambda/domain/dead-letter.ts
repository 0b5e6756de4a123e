import { createHash } from 'node:crypto';
import { canonicalHash } from './canonical.ts';

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
  // A dead letter must always be storable: a detail nested too deeply to serialise, or too large
  // for one DynamoDB item, is replaced by a note (the original stays in the bus archive).
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
    reasons,
    event: JSON.stringify(event ?? null),
    detailType: typeof record['detail-type'] === 'string' ? record['detail-type'] : undefined,
    eventId: typeof record.id === 'string' ? record.id : undefined,
    storedAt: now.toISOString(),
  };
}

/** Largest original event kept in a dead letter, leaving room in the 400 KB item for the rest. */
export const MAX_STORED_EVENT_BYTES = 300_000;

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
