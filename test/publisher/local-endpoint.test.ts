import { type AddressInfo, createServer } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../infra/local/clients.ts';
import { type FailEntry, type LocalEndpoint, startLocalEndpoint } from '../../infra/local/endpoint.ts';
import type { BridgeEvent } from '../../infra/local/put-events.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import {
  type FailedEvent,
  type PublishEntry,
  type PublisherLogger,
  PublishValidationError,
  TournamentEventPublisher,
  type TournamentEventPublisherOptions,
} from '../../lambda/publisher/index.ts';
import { closedLoopbackEndpoint } from './support.ts';

/** A CheckInToggled event per registration, each a distinct action. */
function checkIns(count: number): PublishEntry[] {
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

const registrationOf = (entry: { Detail?: string }) =>
  (JSON.parse(entry.Detail ?? '{}') as { registrationId: number }).registrationId;

interface Harness {
  endpoint: LocalEndpoint;
  /** Accepted events of each PutEvents request that accepted at least one, in arrival order. */
  requests: BridgeEvent[][];
  publisher: TournamentEventPublisher;
  client: EventBridgeClient;
}

const open: LocalEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function harness(
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
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TournamentEventPublisher against the local EventBridge endpoint', () => {
  it('sends 25 events in 3 requests of 10, 10 and 5, each accepted by the recording side', async () => {
    const { publisher, requests } = await harness();
    const result = await publisher.publishMany(checkIns(25));
    await settle();

    expect(result.failed).toEqual([]);
    expect(result.requests).toBe(3);
    expect(result.published.map((p) => [p.index, p.attempts])).toEqual(
      Array.from({ length: 25 }, (_, i) => [i, 1]),
    );
    // The three requests go out in parallel, so they may arrive in any order.
    expect(requests.map((r) => r.length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    const delivered = requests.flat();
    expect(
      delivered.map((e) => (e.detail as { registrationId: number }).registrationId).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(result.published.map((p) => p.eventId))).toEqual(new Set(delivered.map((e) => e.id)));
    for (const event of delivered)
      expect(acceptEvent(event).idempotencyKey).toMatch(/^checkin:\d+:checked_in$/);
  });

  it('resends only the entries that failed, until they go through', async () => {
    // Every third registration is throttled twice, registration 5 hits an internal failure once.
    const failEntry: FailEntry = (entry, attempt) => {
      const registration = registrationOf(entry);
      if (registration % 3 === 0 && attempt <= 2)
        return { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' };
      if (registration === 5 && attempt === 1)
        return { errorCode: 'InternalFailure', errorMessage: 'try again' };
      return undefined;
    };
    const { publisher, requests } = await harness(failEntry);
    const result = await publisher.publishMany(checkIns(25));
    await settle();

    expect(result.failed).toEqual([]);
    // Round 1: 25 entries in 3 requests; round 2: the 8 throttled and registration 5; round 3: the 8 again.
    expect(result.requests).toBe(5);
    // Accepted per request: round 1 (in parallel, any order) 6 of 1-10, 7 of 11-20, 3 of 21-25; then 1; then 8.
    expect(
      requests
        .slice(0, 3)
        .map((r) => r.length)
        .sort((a, b) => a - b),
    ).toEqual([3, 6, 7]);
    expect(requests.slice(3).map((r) => r.length)).toEqual([1, 8]);
    const attempts = Object.fromEntries(result.published.map((p) => [p.index + 1, p.attempts]));
    for (let registration = 1; registration <= 25; registration++)
      expect(attempts[registration], `registration ${registration}`).toBe(
        registration % 3 === 0 ? 3 : registration === 5 ? 2 : 1,
      );
    const delivered = requests.flat().map((e) => (e.detail as { registrationId: number }).registrationId);
    expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('reports exactly what finally failed: final codes at once, retryable codes after the last attempt', async () => {
    const failEntry: FailEntry = (entry) => {
      const registration = registrationOf(entry);
      if (registration === 2) return { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' };
      if (registration === 4)
        return { errorCode: 'NotAuthorizedForSourceException', errorMessage: 'not allowed for this source' };
      return undefined;
    };
    const failures: (readonly FailedEvent[])[] = [];
    const warnings: unknown[][] = [];
    const logger: PublisherLogger = { warn: (...args) => warnings.push(args), error: () => undefined };
    const { publisher } = await harness(failEntry, {
      maxAttempts: 3,
      onFailure: (failed) => {
        failures.push(failed);
      },
      logger,
    });
    const entries = checkIns(5);
    const result = await publisher.publishMany(entries);

    expect(result.published.map((p) => p.index)).toEqual([0, 2, 4]);
    expect(result.failed).toEqual([
      {
        index: 1,
        detailType: 'CheckInToggled',
        detail: entries[1]?.detail,
        errorCode: 'ThrottlingException',
        errorMessage: 'Rate exceeded',
        attempts: 3,
        retryable: true,
      },
      {
        index: 3,
        detailType: 'CheckInToggled',
        detail: entries[3]?.detail,
        errorCode: 'NotAuthorizedForSourceException',
        errorMessage: 'not allowed for this source',
        attempts: 1,
        retryable: false,
      },
    ]);
    expect(result.requests).toBe(3);
    expect(failures).toEqual([result.failed]);
    expect(warnings).toHaveLength(1);
  });

  it('reports an entry for an unknown bus as failed without retrying it', async () => {
    const { client } = await harness();
    const publisher = new TournamentEventPublisher({ client, eventBusName: 'no-such-bus', baseDelayMs: 5 });
    const result = await publisher.publishMany(checkIns(2));
    expect(result.failed.map((f) => [f.errorCode, f.attempts, f.retryable])).toEqual([
      ['ResourceNotFoundException', 1, false],
      ['ResourceNotFoundException', 1, false],
    ]);
    expect(result.requests).toBe(1);
  });

  it('resends a whole request that was throttled as a whole', async () => {
    const { publisher, client, requests } = await harness();
    let throttled = 0;
    // A request-level 400 ThrottlingException cannot be provoked locally; this middleware raises it once.
    client.middlewareStack.add(
      (next) => async (args) => {
        if (throttled++ === 0)
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 400 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'throttleOnce' },
    );
    const result = await publisher.publishMany(checkIns(3));
    await settle();
    expect(result.failed).toEqual([]);
    expect(result.published.map((p) => p.attempts)).toEqual([2, 2, 2]);
    expect(result.requests).toBe(2);
    expect(requests.map((r) => r.length)).toEqual([3]);
  });

  it('gives up at the deadline when the bus cannot be reached, and says the events may be sent again', async () => {
    const endpoint = await closedLoopbackEndpoint();
    const deadlineMs = 2_000;
    const maxDelayMs = 50;
    const publisher = new TournamentEventPublisher({
      client: new EventBridgeClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 }),
      eventBusName: 'tournaments',
      maxAttempts: 1_000,
      baseDelayMs: 20,
      maxDelayMs,
      deadlineMs,
    });
    const started = Date.now();
    const result = await publisher.publishMany(checkIns(2));
    const elapsed = Date.now() - started;
    expect(result.published).toEqual([]);
    expect(result.failed.map((f) => f.retryable)).toEqual([true, true]);
    // The deadline, not the attempt budget, ended it: it kept trying until a wait would cross the
    // deadline (a slower machine only makes each attempt longer, never the retries shorter).
    expect(result.failed[0]?.attempts ?? 0).toBeLessThan(1_000);
    expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - maxDelayMs);
  });

  it('reports events cut off by the deadline mid-request as safe to send again', async () => {
    // A bus that accepts the connection and never answers: only the deadline can end the request.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const publisher = new TournamentEventPublisher({
        client: new EventBridgeClient({ ...LOCAL_AWS, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 }),
        eventBusName: 'tournaments',
        deadlineMs: 300,
      });
      const result = await publisher.publishMany(checkIns(2));
      expect(result.published).toEqual([]);
      expect(result.failed.map((f) => [f.attempts, f.retryable])).toEqual([
        [1, true],
        [1, true],
      ]);
    } finally {
      silent.close();
    }
  });

  it('sends nothing when an event is invalid, and names the field', async () => {
    const { publisher, requests } = await harness();
    const entries = checkIns(3);
    const error = await publisher
      .publishMany([
        ...entries,
        { detailType: 'CheckInToggled', detail: { ...entries[0]?.detail, userIds: ['a:b'] } } as PublishEntry,
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await settle();
    expect(error).toBeInstanceOf(PublishValidationError);
    expect((error as PublishValidationError).issues.map((i) => [i.index, i.path])).toEqual([
      [3, 'userIds.0'],
    ]);
    expect(requests).toEqual([]);
  });

  describe('in safe mode', () => {
    it('sends the valid events, reports the invalid one and never throws', async () => {
      const failures: (readonly FailedEvent[])[] = [];
      const { publisher, requests } = await harness(undefined, {
        safe: true,
        onFailure: (failed) => {
          failures.push(failed);
        },
      });
      const entries = checkIns(3);
      const invalid = { ...entries[1]?.detail, occurredAt: '2026-05-02 09:00' };
      const result = await publisher.publishMany([
        entries[0] as PublishEntry,
        { detailType: 'CheckInToggled', detail: invalid } as PublishEntry,
        entries[2] as PublishEntry,
      ]);
      await settle();
      expect(result.published.map((p) => p.index)).toEqual([0, 2]);
      expect(result.failed).toEqual([
        {
          index: 1,
          detailType: 'CheckInToggled',
          detail: invalid,
          errorCode: 'ValidationError',
          errorMessage: expect.stringContaining('detail.occurredAt'),
          attempts: 0,
          retryable: false,
        },
      ]);
      expect(failures).toEqual([result.failed]);
      expect(requests.flat()).toHaveLength(2);
    });

    it('keeps a throwing onFailure out of the caller and logs it', async () => {
      const errors: unknown[][] = [];
      const { publisher } = await harness(
        () => ({ errorCode: 'AccessDeniedException', errorMessage: 'denied' }),
        {
          safe: true,
          onFailure: () => {
            throw new Error('outbox unavailable');
          },
          logger: { warn: () => undefined, error: (...args) => errors.push(args) },
        },
      );
      const result = await publisher.publish('CheckInToggled', {
        tournamentId: 7,
        occurredAt: '2026-05-02T09:00:00Z',
        registrationId: 77,
        checkedIn: false,
        userIds: [42],
      });
      expect(result.failed.map((f) => f.errorCode)).toEqual(['AccessDeniedException']);
      expect(errors).toHaveLength(1);
    });

    it('turns an unexpected error into failed entries instead of throwing', async () => {
      const { publisher, client } = await harness(undefined, { safe: true });
      client.middlewareStack.add(
        () => async () => {
          throw new TypeError('defect in a custom middleware');
        },
        { step: 'initialize', name: 'defect' },
      );
      const result = await publisher.publishMany(checkIns(2));
      expect(result.failed.map((f) => [f.errorCode, f.retryable])).toEqual([
        ['TypeError', false],
        ['TypeError', false],
      ]);
    });
  });
});
