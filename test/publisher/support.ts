import { createServer } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  type PublishEntry,
  TournamentEventPublisher,
  type TournamentEventPublisherOptions,
} from '../../lambda/publisher/index.ts';
import type { BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { type FailEntry, type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';

/** An `http://127.0.0.1:<port>` endpoint where nothing listens: connections are refused at once. */
export async function closedLoopbackEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}`;
}

/** A CheckInToggled event per registration, each a distinct action. */
export function checkIns(count: number): PublishEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    detailType: 'CheckInToggled' as const,
    detail: {
      tournamentId: 7,
      occurredAt: '2026-05-02T09:00:00Z',
      registrationId: i + 1,
      checkedIn: true,
      userIds: [100 + i],
    },
  }));
}

/** The registration id of a PutEvents entry built from {@link checkIns}. */
export const registrationOf = (entry: { Detail?: string }) =>
  (JSON.parse(entry.Detail ?? '{}') as { registrationId: number }).registrationId;

/** A publisher in front of a local EventBridge endpoint that records what it accepts. */
export interface Harness {
  endpoint: LocalEndpoint;
  /** Accepted events of each PutEvents request that accepted at least one, in arrival order. */
  requests: BridgeEvent[][];
  publisher: TournamentEventPublisher;
  client: EventBridgeClient;
}

const open: LocalEndpoint[] = [];

/** Closes every endpoint {@link harness} started: call it after each test. */
export async function closeHarnesses(): Promise<void> {
  await Promise.all(open.splice(0).map((e) => e.close()));
}

/** A local endpoint (failing entries as `failEntry` says) and a publisher with short backoffs. */
export async function harness(
  failEntry?: FailEntry,
  options: Partial<TournamentEventPublisherOptions> = {},
): Promise<Harness> {
  const requests: BridgeEvent[][] = [];
  const endpoint = await startLocalEndpoint({
    onEvents: (events) => requests.push([...events]),
    ...(failEntry ? { failEntry } : {}),
  });
  open.push(endpoint);
  const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: endpoint.url, maxAttempts: 1 });
  const publisher = new TournamentEventPublisher({
    client,
    eventBusName: endpoint.bus.busName,
    baseDelayMs: 5,
    maxDelayMs: 20,
    ...options,
  });
  return { endpoint, requests, publisher, client };
}

/** Lets the endpoint's `onEvents` callbacks (queued as microtasks after each response) run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
