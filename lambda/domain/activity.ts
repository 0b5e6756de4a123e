import type { AcceptedEvent } from './events.ts';

/** One recorded activity: what one accepted event means for one affected user. */
export interface Activity {
  readonly userId: string;
  readonly idempotencyKey: string;
  /** `tournament.<kind>.<status>`, for example `tournament.registration_status.approved`. */
  readonly activityType: string;
  readonly detailType: string;
  readonly tournamentId: string;
  readonly entityId: string;
  /** `occurredAt` normalised to UTC (`toISOString`), so string order is time order. */
  readonly occurredAt: string;
  /** Sort key of the feed index: `{occurredAt}#{idempotencyKey}`, unique per user. */
  readonly feedKey: string;
  /** The validated detail as JSON text, exactly as it was accepted (extra fields included). */
  readonly payload: string;
  readonly payloadHash: string;
  /** When this activity was first recorded (ISO-8601 UTC). */
  readonly recordedAt: string;
  /** EventBridge id of the event that first recorded it (correlation only). */
  readonly eventId: string;
}

/** `occurredAt` as a UTC ISO string; the contract guarantees it parses. */
export function normaliseInstant(iso: string): string {
  return new Date(iso).toISOString();
}

/** The activity that `event` means for `userId`. */
export function activityFor(event: AcceptedEvent, userId: string, recordedAt: Date): Activity {
  const occurredAt = normaliseInstant(event.detail.occurredAt);
  return {
    userId,
    idempotencyKey: event.idempotencyKey,
    activityType: event.activityType,
    detailType: event.detailType,
    tournamentId: event.detail.tournamentId,
    entityId: event.entityId,
    occurredAt,
    feedKey: `${occurredAt}#${event.idempotencyKey}`,
    payload: event.payload,
    payloadHash: event.payloadHash,
    recordedAt: recordedAt.toISOString(),
    eventId: event.eventId,
  };
}
