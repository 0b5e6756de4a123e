import { gameIdOf } from '../../shared/contract/activity.ts';
import { readActivityItem, type StoredActivity } from '../../shared/contract/activity-item.ts';
import type { StatsActivity } from './stats.ts';

/** What the statistics need of a stored activity. */
export function statsActivityOf(activity: StoredActivity): StatsActivity {
  const { userId, idempotencyKey, detailType, tournamentId, occurredAt, role, fields } = activity;
  const matchId = fields.matchId === undefined ? undefined : String(fields.matchId);
  const gameId = gameIdOf(fields);
  return { userId, idempotencyKey, detailType, tournamentId, occurredAt, role, matchId, gameId };
}

/**
 * What the statistics need of a stored activity item, in either item shape: the one way the
 * projector's stream records, audit and the tests turn an item into statistics input.
 */
export function statsActivityOfItem(item: Record<string, unknown>): StatsActivity {
  return statsActivityOf(readActivityItem(item));
}
