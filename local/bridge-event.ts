import { randomUUID } from 'node:crypto';
import { DEFAULT_EVENT_SOURCE } from '../lambda/shared/contract/defaults.ts';
import type { BridgeEvent } from '../lambda/shared/contract/events.ts';

/** An event as a rule delivers it, whatever its detail (tests also deliver broken ones). */
export type DeliveredEvent<Detail = Record<string, unknown>> = Omit<BridgeEvent, 'detail'> & {
  detail: Detail;
};

/**
 * Wraps a detail in the event EventBridge hands a rule's target: the local bus delivers every
 * accepted entry through here, and tests and benchmarks build their deliveries with it. What
 * `overrides` leaves out is a sample delivery: a fresh id (as on every publisher retry), the
 * tournament source, and the account, Region and time of AWS's documentation examples.
 */
export function bridgeEvent<Detail = Record<string, unknown>>(
  detailType: string,
  detail: Detail,
  overrides: Partial<DeliveredEvent<Detail>> = {},
): DeliveredEvent<Detail> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: DEFAULT_EVENT_SOURCE,
    account: '123456789012',
    time: '2026-05-01T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  };
}
