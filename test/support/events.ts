import { randomUUID } from 'node:crypto';
import { type DetailType, EVENT_TYPES } from '../../lambda/domain/event-types.ts';
import type { BridgeEvent } from '../../lambda/domain/events.ts';

/** A delivered event whose detail may be anything (tests also send broken ones). */
export type TestEvent = Omit<BridgeEvent, 'detail'> & { detail: unknown };

/** Wraps a detail in a real-shaped EventBridge event (new event id each time, like a publisher retry). */
export function bridgeEvent(
  detailType: string,
  detail: unknown,
  overrides: Partial<TestEvent> = {},
): TestEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'tournaments',
    account: '123456789012',
    time: '2026-05-01T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  };
}

/** The declared example detail of an event type, with overrides. */
export function exampleDetail(
  detailType: DetailType,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const definition = EVENT_TYPES.find((t) => t.detailType === detailType);
  if (!definition) throw new Error(`no event type ${detailType}`);
  return { ...structuredClone(definition.example), ...overrides };
}
