import { idText } from './keys.ts';

/** A user's own part in an event: what their feed shows and their statistics count. */
export type Role = 'winner' | 'loser' | 'draw' | 'participant';

/** Scalar fields of the detail an activity keeps (ids, status words, flags, numbers). */
export type SmallFields = Readonly<Record<string, string | number | boolean>>;

/**
 * One recorded activity: what one accepted event means for one affected user. Its size does not
 * depend on how many other users the event names: user lists and extra fields stay in the bus
 * archive, and the payload hash still covers the whole canonical detail.
 */
export interface Activity {
  readonly userId: string;
  readonly idempotencyKey: string;
  /** `tournament.<kind>.<status>`, for example `tournament.registration_status.approved`. */
  readonly activityType: string;
  readonly detailType: string;
  readonly tournamentId: string;
  /** `occurredAt` as the UTC millisecond instant, so string order is time order. */
  readonly occurredAt: string;
  /** Sort key of the feed index: `{occurredAt}#{idempotencyKey}`, unique per user. */
  readonly feedKey: string;
  readonly role: Role;
  /**
   * The detail's contract fields that are scalars, except `tournamentId` and `occurredAt` (kept
   * above); the entity id is here under its own name (`matchId`, `registrationId`, ...), and so is
   * `gameId` when the event carries one: the feed index projects a fixed list of attributes, which
   * a deployed index cannot change, and `fields` is on it.
   */
  readonly fields: SmallFields;
  /** `v2:` + SHA-256 of the whole detail's canonical form. */
  readonly payloadHash: string;
  /** When this activity was first recorded (ISO-8601 UTC). */
  readonly recordedAt: string;
  /** EventBridge id of the event that first recorded it (correlation only). */
  readonly eventId: string;
}

/** Detail fields an activity keeps as attributes of their own, not among its `fields`. */
const OWN_ATTRIBUTES = new Set(['tournamentId', 'occurredAt']);

/**
 * The scalar fields of a validated detail an activity keeps: every field named in `contract` (all
 * of them when omitted) whose value is a string, number or boolean, except those kept as attributes
 * of their own. The result has no prototype, so a field named `__proto__` is data here too.
 */
export function smallFieldsOf(
  detail: Readonly<Record<string, unknown>>,
  contract?: readonly string[],
): SmallFields {
  const fields: Record<string, string | number | boolean> = Object.create(null);
  for (const field of contract ?? Object.keys(detail)) {
    const value = detail[field];
    if (!OWN_ATTRIBUTES.has(field) && ['string', 'number', 'boolean'].includes(typeof value))
      fields[field] = value as string | number | boolean;
  }
  return fields;
}

/**
 * The game an activity's event named, from its small fields (where the item keeps it), in either
 * item shape; `undefined` when the event named none. A value that is no id is no game: only a
 * payload of the previous shape can hold one, where `gameId` was an extra field like any other.
 */
export function gameIdOf(fields: SmallFields): string | undefined {
  return idText(fields.gameId);
}

const idsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/**
 * The role of `userId` in a detail. Finalizations say winner, loser or draw; completions winner or
 * participant; every other event type participant.
 */
export function roleOf(
  detailType: string,
  detail: Readonly<Record<string, unknown>>,
  userId: string,
  winners: ReadonlySet<string> = new Set(idsOf(detail.winnerUserIds)),
): Role {
  if (detailType === 'MatchFinalized') {
    if (detail.isDraw === true) return 'draw';
    return winners.has(userId) ? 'winner' : 'loser';
  }
  if (detailType === 'TournamentCompleted') return winners.has(userId) ? 'winner' : 'participant';
  return 'participant';
}
