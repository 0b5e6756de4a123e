import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import type { BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { bridgeEvent } from '../../local/bridge-event.ts';

/** Real-shaped EventBridge events, built as the local bus builds the ones it delivers. */

/**
 * The declared example of an event type rewritten for other users and a fresh entity: the listed
 * users become `userIds`, single user fields (`submittedByUserId`, ...) the first of them, winner
 * lists keep only listed users, and the entity id becomes `entityId`. Works for every declared type
 * without naming any of them.
 */
export function detailFor(
  typeIndex: number,
  entityId: string,
  userIds: readonly string[],
  occurredAt: string,
): { detailType: string; detail: Record<string, unknown> } {
  const definition = EVENT_TYPES[typeIndex % EVENT_TYPES.length] as (typeof EVENT_TYPES)[number];
  const detail: Record<string, unknown> = { ...structuredClone(definition.example) };
  const first = userIds[0] as string;
  for (const [field, value] of Object.entries(detail)) {
    if (field === definition.usersField) detail[field] = [...userIds];
    else if (field.endsWith('UserIds'))
      detail[field] = Array.isArray(value) && value.length > 0 ? [first] : [];
    else if (field.endsWith('UserId')) detail[field] = first;
  }
  detail[definition.entityIdField] = entityId;
  detail.occurredAt = occurredAt;
  return { detailType: definition.detailType, detail };
}

/** Options of {@link singleUserEvents}. */
export interface WorkloadOptions {
  readonly count: number;
  /** Distinct users the events are spread over. @default count / 10 */
  readonly users?: number;
  /** Distinguishes runs, so two runs never share a key. */
  readonly runId: string;
}

/**
 * `count` valid single-user events cycling through all declared event types, each a distinct
 * action (fresh entity id), spread over a population of users like a live platform.
 */
export function singleUserEvents({ count, users, runId }: WorkloadOptions): BridgeEvent[] {
  const population = Math.max(1, users ?? Math.ceil(count / 10));
  const start = Date.parse('2026-05-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const occurredAt = new Date(start + i * 1000).toISOString();
    const { detailType, detail } = detailFor(
      i,
      `${runId}-e${i}`,
      [`${runId}-u${i % population}`],
      occurredAt,
    );
    return bridgeEvent(detailType, detail, { id: `${runId}-${i}` });
  });
}

/** The same actions delivered again (new event ids, as a publisher retry or a replay would). */
export function redeliveries(events: readonly BridgeEvent[], suffix = 'again'): BridgeEvent[] {
  return events.map((e) => ({ ...e, id: `${e.id}-${suffix}` }));
}

/** The games the bench's events are played in, in turn: every statistics workload carries a gameId. */
export const BENCH_GAMES = ['valorant', 'efootball'] as const;
