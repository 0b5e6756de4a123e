import { type AddressInfo, createServer } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FailedEvent,
  type PublishEntry,
  PublishValidationError,
  TournamentEventPublisher,
} from '../../lambda/publisher/index.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { checkIns, closedLoopbackEndpoint, closeHarnesses, harness, settle } from './support.ts';

afterEach(closeHarnesses);

describe('TournamentEventPublisher against the local EventBridge endpoint', () => {
  it('gives up at the deadline when the bus cannot be reached, and says the events may be sent again', async () => {
    // Prepare: a bus that refuses every connection, and far more attempts than the deadline allows
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

    // Act
    const started = Date.now();
    const result = await publisher.publishMany(checkIns(2));
    const elapsed = Date.now() - started;

    // Assess
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
      // Prepare: three events, the middle one with a malformed instant
      const failures: (readonly FailedEvent[])[] = [];
      const { publisher, requests } = await harness(undefined, {
        safe: true,
        onFailure: (failed) => {
          failures.push(failed);
        },
      });
      const entries = checkIns(3);
      const invalid = { ...entries[1]?.detail, occurredAt: '2026-05-02 09:00' };

      // Act
      const result = await publisher.publishMany([
        entries[0] as PublishEntry,
        { detailType: 'CheckInToggled', detail: invalid } as PublishEntry,
        entries[2] as PublishEntry,
      ]);
      await settle();

      // Assess
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
