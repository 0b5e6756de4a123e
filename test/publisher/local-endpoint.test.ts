import { afterEach, describe, expect, it } from 'vitest';
import {
  type DetailInputOf,
  type FailedEvent,
  type PublisherLogger,
  TournamentEventPublisher,
} from '../../lambda/publisher/index.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import type { FailEntry } from '../../local/endpoint.ts';
import { checkIns, closeHarnesses, harness, registrationOf, settle } from './support.ts';

afterEach(closeHarnesses);

const exampleCheckIn: DetailInputOf<'CheckInToggled'> = {
  tournamentId: 7,
  occurredAt: '2026-05-02T09:00:00Z',
  registrationId: 77,
  checkedIn: true,
  userIds: [42],
};

describe('TournamentEventPublisher against the local EventBridge endpoint', () => {
  it('sends 25 events in 3 requests of 10, 10 and 5, each accepted by the recording side', async () => {
    // Prepare
    const { publisher, requests } = await harness();

    // Act
    const result = await publisher.publishMany(checkIns(25));
    await settle();

    // Assess
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
    // Prepare: every third registration is throttled twice, registration 5 hits an internal failure once
    const failEntry: FailEntry = (entry, attempt) => {
      const registration = registrationOf(entry);
      if (registration % 3 === 0 && attempt <= 2)
        return { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' };
      if (registration === 5 && attempt === 1)
        return { errorCode: 'InternalFailure', errorMessage: 'try again' };
      return undefined;
    };
    const { publisher, requests } = await harness(failEntry);

    // Act
    const result = await publisher.publishMany(checkIns(25));
    await settle();

    // Assess
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
    // Prepare: registration 2 always throttled, registration 4 refused for good
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

    // Act
    const result = await publisher.publishMany(entries);

    // Assess
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

  it('sends the game of every event type as given, and the recording side reads one game for 7 and "7"', async () => {
    // Prepare: the typed detail of each type, with the game as a number and as a string
    const { publisher, requests } = await harness();
    const finalized: DetailInputOf<'MatchFinalized'> = {
      tournamentId: 7,
      occurredAt: '2026-05-02T10:45:00Z',
      matchId: 9,
      resolution: 'completed',
      participantUserIds: [42, 43],
      winnerUserIds: [42],
    };

    // Act
    const result = await publisher.publishMany([
      { detailType: 'MatchFinalized', detail: { ...finalized, gameId: 7 } },
      { detailType: 'MatchFinalized', detail: { ...finalized, gameId: '7' } },
      { detailType: 'CheckInToggled', detail: { ...exampleCheckIn, gameId: 'valorant' } },
    ]);
    await settle();

    // Assess
    expect(result.failed).toEqual([]);
    const delivered = requests.flat();
    expect(delivered.map((e) => (e.detail as { gameId: unknown }).gameId).sort()).toEqual([
      7,
      '7',
      'valorant',
    ]);
    const accepted = delivered.map((e) => acceptEvent(e));
    expect(new Set(accepted.map((a) => a.detail.gameId))).toEqual(new Set(['7', 'valorant']));
    const matches = accepted.filter((a) => a.detailType === 'MatchFinalized');
    expect(new Set(matches.map((a) => a.payloadHash)).size).toBe(1);
  });

  it('refuses a game that is not an id, at compile time and at run time, sending nothing', async () => {
    // Prepare
    const { publisher, requests } = await harness();
    // @ts-expect-error a game is an id (a string or a number), not a flag
    const flagged: DetailInputOf<'CheckInToggled'> = { ...exampleCheckIn, gameId: true };
    // Act
    const refused = publisher.publish('CheckInToggled', flagged);
    // Assess
    await expect(refused).rejects.toThrow(/detail\.gameId: must be an id/);
    expect(requests).toEqual([]);
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
});
