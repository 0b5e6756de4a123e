import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  entrySize,
  fullJitterDelay,
  isRetryableEntryError,
  isTransientError,
  MAX_REQUEST_BYTES,
  type PublishEntry,
  PublishValidationError,
  planRequests,
  TournamentEventPublisher,
} from '../../lambda/publisher/index.ts';
import type { DetailType } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { InvalidEventError } from '../../lambda/shared/errors.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { INVALID_DETAILS, VALID_DETAILS } from '../schemas/cases.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';
import { closedLoopbackEndpoint } from './support.ts';

describe('request planning', () => {
  it('packs 25 small entries into requests of 10, 10 and 5, in order', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(planRequests(items, () => 100)).toEqual([
      items.slice(0, 10),
      items.slice(10, 20),
      items.slice(20, 25),
    ]);
  });

  it('closes a request before its entries would pass 1 MB', () => {
    const sizes = [300_000, 300_000, 300_000, 300_000, 200_000];
    expect(planRequests(sizes, (s) => s).map((r) => r.length)).toEqual([3, 2]);
  });

  it('gives an entry larger than the limit a request of its own', () => {
    expect(planRequests([10, MAX_REQUEST_BYTES + 1, 10], (s) => s)).toEqual([
      [10],
      [MAX_REQUEST_BYTES + 1],
      [10],
    ]);
  });

  it('keeps every entry, in order, within the limits, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400_000 }), { maxLength: 60 }), (sizes) => {
        const requests = planRequests(sizes, (s) => s);
        expect(requests.flat()).toEqual(sizes);
        for (const request of requests) {
          expect(request.length).toBeGreaterThan(0);
          expect(request.length).toBeLessThanOrEqual(10);
          expect(request.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
        }
      }),
    );
  });

  it('sizes an entry the way EventBridge counts it: UTF-8 bytes, 14 for a time', () => {
    expect(entrySize({ Source: 'tournaments', DetailType: 'X', Detail: '{"a":"é"}' })).toBe(11 + 1 + 10);
    expect(entrySize({ Detail: '{}', Resources: ['r1', 'r2'], Time: new Date() })).toBe(2 + 4 + 14);
  });
});

describe('backoff', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('draws each delay from the whole window, doubling per retry up to the cap', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 30].map((retry) => fullJitterDelay(retry, options, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(fullJitterDelay(4, options, () => 0)).toBe(0);
    expect(fullJitterDelay(2, options, () => 0.5)).toBe(100);
  });
});

describe('error classification', () => {
  it.each(['InternalFailure', 'ThrottlingException'])('resends an entry that failed with %s', (code) => {
    expect(isRetryableEntryError(code)).toBe(true);
  });

  it.each([
    'AccessDeniedException',
    'InvalidAccountIdException',
    'InvalidArgument',
    'MalformedDetail',
    'RedactionFailure',
    'NotAuthorizedForSourceException',
    'NotAuthorizedForDetailTypeException',
    'ResourceNotFoundException',
  ])('does not resend an entry that failed with %s', (code) => {
    expect(isRetryableEntryError(code)).toBe(false);
  });

  it.each([
    ['a 5xx', { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }],
    ['a 503 of any name', { name: 'Whatever', $metadata: { httpStatusCode: 503 } }],
    ['throttling', { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }],
    ['an SDK-marked retryable error', { name: 'X', $retryable: {} }],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a timeout', { name: 'TimeoutError' }],
  ])('treats %s as transient', (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['access denied', { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }],
    ['a validation error', { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }],
    ['a plain error', new Error('bug')],
    ['a string', 'oops'],
    ['undefined', undefined],
  ])('treats %s as final', (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe('validation before sending', () => {
  // A loopback port nobody listens on: an event that passes validation fails to connect, one that
  // does not is refused before any connection is tried.
  let publisher: TournamentEventPublisher;
  beforeAll(async () => {
    const endpoint = await closedLoopbackEndpoint();
    publisher = new TournamentEventPublisher({
      client: new EventBridgeClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 }),
      eventBusName: 'tournaments',
      maxAttempts: 1,
    });
  });

  function handlerAccepts(detailType: DetailType, detail: unknown): boolean {
    try {
      acceptEvent(bridgeEvent(detailType, detail));
      return true;
    } catch (error) {
      if (error instanceof InvalidEventError) return false;
      throw error;
    }
  }

  it.each(INVALID_DETAILS)(
    'refuses %s (%s) like the handler, naming the field',
    async (_name, detailType, overrides, notes) => {
      const detail = exampleDetail(detailType, overrides);
      expect(handlerAccepts(detailType, detail)).toBe(false);
      const error = await publisher.publishMany([{ detailType, detail } as PublishEntry]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PublishValidationError);
      const issues = (error as PublishValidationError).issues;
      expect(issues.length).toBeGreaterThan(0);
      const fields = notes?.field !== undefined ? [notes.field ?? ''] : Object.keys(overrides);
      expect(issues.some((i) => fields.some((f) => i.path === f || i.path.startsWith(`${f}.`)))).toBe(true);
      const named = issues[0]?.path ? `detail.${issues[0].path}` : 'detail:';
      expect((error as Error).message).toContain(named);
    },
  );

  it('refuses a participant rule the JSON Schema cannot state, like the handler', async () => {
    const error = await publisher
      .publish('MatchFinalized', {
        tournamentId: 7,
        occurredAt: '2026-05-02T10:45:00Z',
        matchId: 9,
        resolution: 'completed',
        participantUserIds: [42, 43],
        winnerUserIds: [99],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PublishValidationError);
    expect((error as PublishValidationError).issues).toEqual([
      {
        index: 0,
        detailType: 'MatchFinalized',
        path: 'winnerUserIds.0',
        message: 'user 99 is not among participantUserIds',
      },
    ]);
    expect((error as Error).cause).toBeDefined();
  });

  it('refuses a whole batch when one event is invalid, naming its position', async () => {
    const error = await publisher
      .publishMany([
        { detailType: 'CheckInToggled', detail: exampleDetail('CheckInToggled') as never },
        { detailType: 'CheckInToggled', detail: exampleDetail('CheckInToggled', { userIds: [] }) as never },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as PublishValidationError).issues).toEqual([
      { index: 1, detailType: 'CheckInToggled', path: 'userIds', message: 'must name at least one user' },
    ]);
  });

  it('refuses an event type outside the contract and a detail that is not an object', async () => {
    const error = await publisher
      .publishMany([
        { detailType: 'MatchCancelled', detail: {} } as unknown as PublishEntry,
        { detailType: 'CheckInToggled', detail: [] } as unknown as PublishEntry,
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as PublishValidationError).issues.map((i) => [i.index, i.path])).toEqual([
      [0, ''],
      [1, ''],
    ]);
  });

  it.each(VALID_DETAILS)(
    'lets %s (%s) through validation, like the handler',
    async (_name, detailType, overrides) => {
      const detail = exampleDetail(detailType, overrides);
      expect(handlerAccepts(detailType, detail)).toBe(true);
      const result = await publisher.publishMany([{ detailType, detail } as PublishEntry]);
      expect(result.failed).toMatchObject([{ index: 0, attempts: 1, retryable: true }]);
      expect(result.failed[0]?.errorCode).not.toBe('ValidationError');
    },
  );

  it('requires a bus name with a message saying what to pass', () => {
    expect(() => new TournamentEventPublisher({ eventBusName: '' })).toThrow(/eventBusName is required/);
  });
});
