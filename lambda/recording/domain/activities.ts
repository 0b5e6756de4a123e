import { type Activity, roleOf } from '../../shared/contract/activity.ts';
import { isCurrentHash, legacyPayloadHash, payloadHash } from '../../shared/contract/canonical.ts';
import type { AcceptedEvent } from '../../shared/contract/events.ts';

/**
 * What recording makes of an accepted event: one activity per affected user, and the rule that
 * tells a duplicate (the same action again) from a conflict (another action under the same key).
 */

/** The activity that `event` means for `userId`. */
export function activityFor(event: AcceptedEvent, userId: string, recordedAt: Date): Activity {
  return {
    userId,
    idempotencyKey: event.idempotencyKey,
    activityType: event.activityType,
    detailType: event.detailType,
    tournamentId: event.detail.tournamentId,
    occurredAt: event.occurredAt,
    feedKey: `${event.occurredAt}#${event.idempotencyKey}`,
    role: roleOf(event.detailType, event.detail, userId, event.winners),
    fields: event.fields,
    payloadHash: event.payloadHash,
    recordedAt: recordedAt.toISOString(),
    eventId: event.eventId,
  };
}

/** What a failed conditional write returns of the stored activity. */
export interface StoredIdentity {
  readonly payloadHash?: string | undefined;
  /** The whole detail as JSON text: items written before activities were slimmed carry it. */
  readonly payload?: string | undefined;
}

/**
 * Whether a stored activity records the same action as `event` (a duplicate) rather than another
 * action under the same key (a conflict). Current items compare `v2` hashes. Items of the previous
 * shape carry their payload, from which the current canonical hash is recomputed, so an instant or
 * user list spelled differently is a duplicate for them too; only without a payload does the
 * previous hash decide.
 */
export function isSameAction(event: AcceptedEvent, stored: StoredIdentity): boolean {
  const hash = stored.payloadHash;
  if (hash !== undefined && isCurrentHash(hash)) return hash === event.payloadHash;
  if (stored.payload !== undefined) {
    try {
      const detail = JSON.parse(stored.payload) as Record<string, unknown>;
      return payloadHash(detail, event) === event.payloadHash;
    } catch {
      return false;
    }
  }
  return hash !== undefined && hash === legacyPayloadHash(event.detail);
}
