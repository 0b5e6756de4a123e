import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DEFAULT_EVENT_SOURCE } from '../../lambda/shared/contract/defaults.ts';
import { type DetailType, EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import type { DeliveredEvent } from '../../local/bridge-event.ts';

/** A delivered event whose detail may be anything (tests also send broken ones). */
export type TestEvent<Detail = unknown> = DeliveredEvent<Detail>;

/** Real-shaped EventBridge events, built as the local bus builds the ones it delivers. */
export { bridgeEvent } from '../../local/bridge-event.ts';

/** The declared example detail of an event type, with overrides. */
export function exampleDetail(
  detailType: DetailType,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const definition = EVENT_TYPES.find((t) => t.detailType === detailType);
  if (!definition) throw new Error(`no event type ${detailType}`);
  return { ...structuredClone(definition.example), ...overrides };
}

/** An id no other test or run uses, its prefix telling in logs which test made it. */
export const fresh = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A valid PutEvents entry: the example check-in of one user, `registrationId`, on the tournament bus. */
export function checkInEntry(
  registrationId: string,
  overrides: Partial<PutEventsRequestEntry> = {},
): PutEventsRequestEntry {
  return {
    EventBusName: 'tournaments',
    Source: DEFAULT_EVENT_SOURCE,
    DetailType: 'CheckInToggled',
    Detail: JSON.stringify(exampleDetail('CheckInToggled', { registrationId, userIds: [registrationId] })),
    ...overrides,
  };
}
