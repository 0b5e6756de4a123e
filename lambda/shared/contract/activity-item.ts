import { UnreadableItemError } from '../errors.ts';
import { type Activity, type Role, roleOf, type SmallFields, smallFieldsOf } from './activity.ts';

/**
 * A stored activity as readers see it, whichever shape it was written in:
 * - current items carry `role` and `fields` (the user's role and the detail's small fields);
 * - items written before activities were slimmed carry `payload` (the whole detail as JSON text)
 *   instead; the role and fields are derived from it the way recording derives them now.
 * Both shapes keep every other attribute (`occurredAt` was already the UTC millisecond instant).
 * The game an event named is among the `fields` of either shape (`gameIdOf` in `activity.ts` reads
 * it); an activity without one reads exactly as before games existed.
 */
export type StoredActivity = Pick<
  Activity,
  | 'userId'
  | 'idempotencyKey'
  | 'activityType'
  | 'detailType'
  | 'tournamentId'
  | 'occurredAt'
  | 'recordedAt'
  | 'role'
  | 'fields'
>;

const ROLES: ReadonlySet<string> = new Set<Role>(['winner', 'loser', 'draw', 'participant']);

function text(item: Readonly<Record<string, unknown>>, name: string, what: string): string {
  const value = item[name];
  if (typeof value !== 'string')
    throw new UnreadableItemError(`${what} has no ${name}: it is not an activity item of this table`);
  return value;
}

/**
 * Reads an activity item of either shape.
 * @param contractFields for previous-shape items: the contract's fields of a detail type, so
 *   extra fields of the old payload stay out of `fields` (omit to keep every scalar)
 * @throws UnreadableItemError when the item is not an activity
 */
export function readActivityItem(
  item: Readonly<Record<string, unknown>>,
  contractFields?: (detailType: string) => readonly string[] | undefined,
): StoredActivity {
  const userId = text(item, 'userId', 'item');
  const idempotencyKey = text(item, 'idempotencyKey', `item of user ${userId}`);
  const what = `activity ${idempotencyKey} of user ${userId}`;
  const detailType = text(item, 'detailType', what);
  const base = {
    userId,
    idempotencyKey,
    detailType,
    activityType: String(item.activityType ?? ''),
    tournamentId: String(item.tournamentId ?? ''),
    occurredAt: text(item, 'occurredAt', what),
    recordedAt: String(item.recordedAt ?? ''),
  };
  if (typeof item.role === 'string' && ROLES.has(item.role)) {
    const fields = item.fields !== null && typeof item.fields === 'object' ? item.fields : {};
    return { ...base, role: item.role as Role, fields: fields as SmallFields };
  }
  if (typeof item.payload !== 'string')
    throw new UnreadableItemError(`${what} has neither a role nor a payload: it is not an activity item`);
  let detail: Record<string, unknown>;
  try {
    detail = JSON.parse(item.payload);
  } catch (cause) {
    throw new UnreadableItemError(`${what} has a payload that is not JSON`, { cause });
  }
  return {
    ...base,
    role: roleOf(detailType, detail, userId),
    fields: smallFieldsOf(detail, contractFields?.(detailType)),
  };
}
