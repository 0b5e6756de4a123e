import fc from 'fast-check';
import { activityFor } from '../../lambda/recording/domain/activities.ts';

import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { type StatsActivity, statsOf } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOf } from '../../lambda/statistics/domain/stats-activity.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { publishTo } from '../support/local-stack.ts';
import { type PlannedEvent, tournamentArbitrary } from '../support/tournament.ts';

/** A season of one generated tournament, the same for a given seed. */
export function season(prefix: string, seed: number): PlannedEvent[] {
  const [events] = fc.sample(
    tournamentArbitrary(prefix).filter((e) => e.length >= 6),
    { seed, numRuns: 1 },
  );
  return events as PlannedEvent[];
}

export { partitionItems, tpi } from '../support/local-stack.ts';

/** Publishes planned events through the stack's PutEvents, ten per request. */
export const publish = (stack: LocalStack, events: readonly PlannedEvent[]) => publishTo(stack, events);

/** The oracle: each user's statistics by `statsOf` over the activities these events record. */
export function oracle(events: readonly PlannedEvent[], eventSource: string): Map<string, StatsActivity[]> {
  const byUser = new Map<string, Map<string, StatsActivity>>();
  for (const planned of events) {
    const event = acceptEvent(
      { id: 'oracle', source: eventSource, 'detail-type': planned.detailType, detail: planned.detail },
      eventSource,
    );
    for (const userId of event.userIds) {
      const mine = byUser.get(userId) ?? new Map<string, StatsActivity>();
      if (!mine.has(event.idempotencyKey))
        mine.set(event.idempotencyKey, statsActivityOf(activityFor(event, userId, new Date())));
      byUser.set(userId, mine);
    }
  }
  return new Map([...byUser].map(([userId, mine]) => [userId, [...mine.values()]]));
}

/** Expected statistics of a user over `activities` (the oracle's answer). */
export const expectedStats = (userId: string, activities: readonly StatsActivity[] = []) =>
  statsOf(userId, activities);
