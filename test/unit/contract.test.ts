import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gameIdOf } from '../../lambda/shared/contract/activity.ts';
import {
  DETAIL_TYPES,
  EVENT_TYPES,
  type EventTypeDefinition,
  fieldsOf,
} from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { normaliseId } from '../../lambda/shared/contract/ids.ts';
import { idempotencyKey } from '../../lambda/shared/contract/keys.ts';
import { MAX_DETAIL_BYTES } from '../../lambda/shared/contract/limits.ts';
import { InvalidEventError } from '../../lambda/shared/errors.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';

function reasonsOf(event: unknown): string[] {
  try {
    acceptEvent(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return [...error.reasons];
    throw error;
  }
  throw new Error('event was accepted');
}

describe('the event contract', () => {
  it('declares exactly the eight event types of the contract', () => {
    expect(DETAIL_TYPES).toEqual([
      'RegistrationStatusChanged',
      'PaymentStatusChanged',
      'CheckInToggled',
      'MatchResultSubmitted',
      'MatchFinalized',
      'DisputeOpened',
      'DisputeResolved',
      'TournamentCompleted',
    ]);
  });

  it.each([
    [
      'RegistrationStatusChanged',
      {},
      'registration_status:123:approved',
      'tournament.registration_status.approved',
    ],
    [
      'RegistrationStatusChanged',
      { status: 'rejected' },
      'registration_status:123:rejected',
      'tournament.registration_status.rejected',
    ],
    ['PaymentStatusChanged', {}, 'payment_status:pay_88:verified', 'tournament.payment_status.verified'],
    ['CheckInToggled', {}, 'checkin:77:checked_in', 'tournament.checkin.checked_in'],
    ['CheckInToggled', { checkedIn: false }, 'checkin:77:checked_out', 'tournament.checkin.checked_out'],
    ['MatchResultSubmitted', {}, 'match_result:9:submitted_by_42', 'tournament.match_result.submitted'],
    ['MatchFinalized', {}, 'match_finalized:9:completed', 'tournament.match_finalized.completed'],
    [
      'MatchFinalized',
      { resolution: 'forfeit' },
      'match_finalized:9:forfeit',
      'tournament.match_finalized.forfeit',
    ],
    ['DisputeOpened', {}, 'dispute_opened:5:open', 'tournament.dispute_opened.open'],
    ['DisputeResolved', {}, 'dispute_resolved:5:upheld', 'tournament.dispute_resolved.upheld'],
    [
      'TournamentCompleted',
      {},
      'tournament_completed:7:completed',
      'tournament.tournament_completed.completed',
    ],
  ] as const)('keys %s %j as %s', (detailType, overrides, key, activityType) => {
    const accepted = acceptEvent(bridgeEvent(detailType, exampleDetail(detailType, overrides)));
    expect(accepted.idempotencyKey).toBe(key);
    expect(accepted.activityType).toBe(activityType);
  });

  it('appends the revision to the key when one is given', () => {
    const accepted = acceptEvent(
      bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled', { revision: 2 })),
    );
    expect(accepted.idempotencyKey).toBe('checkin:77:checked_in:2');
    expect(idempotencyKey({ kind: 'checkin', entityId: '77', status: 'checked_in', revision: 0 })).toBe(
      'checkin:77:checked_in:0',
    );
  });

  it('gives a retry of the same action the same key and hash, whatever its event id and key order', () => {
    const detail = exampleDetail('MatchFinalized');
    const reordered = Object.fromEntries(Object.entries(detail).reverse());
    const first = acceptEvent(bridgeEvent('MatchFinalized', detail));
    const retry = acceptEvent(bridgeEvent('MatchFinalized', reordered, { time: '2026-06-01T00:00:00Z' }));
    expect(retry.eventId).not.toBe(first.eventId);
    expect(retry.idempotencyKey).toBe(first.idempotencyKey);
    expect(retry.payloadHash).toBe(first.payloadHash);
  });

  it('normalises numeric ids to strings and removes duplicate users', () => {
    const accepted = acceptEvent(
      bridgeEvent(
        'MatchFinalized',
        exampleDetail('MatchFinalized', { participantUserIds: [42, '42', 43], winnerUserIds: ['42'] }),
      ),
    );
    expect(accepted.userIds).toEqual(['42', '43']);
    expect(accepted.detail.tournamentId).toBe('7');
    expect(accepted.entityId).toBe('9');
  });

  it('keeps unknown extra fields in the accepted detail', () => {
    const accepted = acceptEvent(
      bridgeEvent('DisputeOpened', exampleDetail('DisputeOpened', { note: { text: 'late' } })),
    );
    expect(accepted.detail.note).toEqual({ text: 'late' });
  });

  it('defaults schemaVersion to 1 and isDraw to false', () => {
    const accepted = acceptEvent(
      bridgeEvent('MatchFinalized', exampleDetail('MatchFinalized', { isDraw: undefined })),
    );
    expect(accepted.detail.schemaVersion).toBe(1);
    expect(accepted.detail.isDraw).toBe(false);
  });

  it('accepts every declared example', () => {
    for (const type of EVENT_TYPES)
      expect(() => acceptEvent(bridgeEvent(type.detailType, type.example))).not.toThrow();
  });
});

describe('the game an event names', () => {
  it.each(EVENT_TYPES.map((t) => t.detailType))(
    'is accepted on a %s as a string or a positive integer, normalised to its string',
    (detailType) => {
      // Act
      const named = acceptEvent(bridgeEvent(detailType, exampleDetail(detailType, { gameId: 'valorant' })));
      const numbered = acceptEvent(bridgeEvent(detailType, exampleDetail(detailType, { gameId: 42 })));
      // Assess
      expect(named.detail.gameId).toBe('valorant');
      expect(numbered.detail.gameId).toBe('42');
      expect(named.fields.gameId).toBe('valorant');
    },
  );

  it('is optional: an event without one is accepted with no gameId field at all', () => {
    // Act
    const accepted = acceptEvent(bridgeEvent('MatchFinalized', exampleDetail('MatchFinalized')));
    // Assess
    expect(Object.keys(accepted.detail)).not.toContain('gameId');
    expect(Object.keys(accepted.fields)).not.toContain('gameId');
  });

  it('leaves the idempotency key alone: the contract fixes its format', () => {
    for (const type of EVENT_TYPES) {
      // Act
      const withGame = acceptEvent(bridgeEvent(type.detailType, { ...type.example, gameId: 'efootball' }));
      const without = acceptEvent(bridgeEvent(type.detailType, type.example));
      // Assess
      expect(withGame.idempotencyKey).toBe(without.idempotencyKey);
    }
  });

  it('is read back from stored items by the same id rule the schema validates with', () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.stringMatching(/^[A-Za-z0-9_.:# -]{0,66}$/),
      fc.integer({ min: -5, max: Number.MAX_SAFE_INTEGER + 5 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(null, undefined, true, [], {}),
    );
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(gameIdOf({ gameId: value as never })).toBe(normaliseId(value));
      }),
      { numRuns: 500 },
    );
  });

  it('is a contract field of every type, declared once with the common fields', () => {
    for (const type of EVENT_TYPES)
      expect(fieldsOf(type as unknown as EventTypeDefinition), type.detailType).toContain('gameId');
  });
});

describe('invalid events', () => {
  const bad: [string, string, Record<string, unknown>, RegExp][] = [
    ['an id with a colon', 'RegistrationStatusChanged', { registrationId: '1:approved' }, /registrationId/],
    ['an id with a hash', 'PaymentStatusChanged', { paymentId: 'a#b' }, /paymentId/],
    ['an id with a space', 'CheckInToggled', { registrationId: 'a b' }, /registrationId/],
    ['an empty id', 'DisputeOpened', { disputeId: '' }, /disputeId/],
    ['a 65-character id', 'DisputeResolved', { disputeId: 'x'.repeat(65) }, /disputeId/],
    ['a float id', 'MatchFinalized', { matchId: 1.5 }, /matchId/],
    ['a negative id', 'MatchFinalized', { matchId: -3 }, /matchId/],
    ['a unicode look-alike id', 'MatchFinalized', { matchId: '９' }, /matchId/],
    ['an empty user list', 'RegistrationStatusChanged', { userIds: [] }, /userIds/],
    [
      '1,001 users',
      'RegistrationStatusChanged',
      { userIds: Array.from({ length: 1001 }, (_, i) => i + 1) },
      /userIds/,
    ],
    [
      'a winner who is not a participant',
      'MatchFinalized',
      { winnerUserIds: [99] },
      /winnerUserIds.*not among/,
    ],
    ['a draw with winners', 'MatchFinalized', { isDraw: true }, /isDraw/],
    [
      'a submitter who is not a participant',
      'MatchResultSubmitted',
      { submittedByUserId: 99 },
      /submittedByUserId/,
    ],
    ['an opener who is not a participant', 'DisputeOpened', { openedByUserId: 99 }, /openedByUserId/],
    [
      'a tournament winner who is not a participant',
      'TournamentCompleted',
      { winnerUserIds: [99] },
      /winnerUserIds/,
    ],
    ['schemaVersion 2', 'CheckInToggled', { schemaVersion: 2 }, /schemaVersion/],
    ['an unknown status', 'RegistrationStatusChanged', { status: 'pending' }, /status/],
    ['a time without a zone', 'CheckInToggled', { occurredAt: '2026-05-01T12:00:00' }, /occurredAt/],
    ['a missing tournamentId', 'CheckInToggled', { tournamentId: undefined }, /tournamentId/],
    ['a negative revision', 'CheckInToggled', { revision: -1 }, /revision/],
    ['a string where a boolean belongs', 'CheckInToggled', { checkedIn: 'yes' }, /checkedIn/],
    ['a gameId with a colon', 'MatchFinalized', { gameId: 'cs:go' }, /detail\.gameId: must be 1-64/],
    ['a gameId with a space', 'TournamentCompleted', { gameId: 'rocket league' }, /detail\.gameId/],
    ['an empty gameId', 'RegistrationStatusChanged', { gameId: '' }, /detail\.gameId/],
    ['a 65-character gameId', 'PaymentStatusChanged', { gameId: 'g'.repeat(65) }, /detail\.gameId/],
    ['a fractional gameId', 'CheckInToggled', { gameId: 7.5 }, /detail\.gameId/],
    ['a zero gameId', 'MatchResultSubmitted', { gameId: 0 }, /detail\.gameId/],
    ['a null gameId', 'DisputeOpened', { gameId: null }, /detail\.gameId: must be an id/],
    ['a gameId as an object', 'DisputeResolved', { gameId: { name: 'valorant' } }, /detail\.gameId/],
  ];
  it.each(bad)('rejects %s, naming the field', (_name, detailType, overrides, reason) => {
    const reasons = reasonsOf(bridgeEvent(detailType, exampleDetail(detailType as never, overrides)));
    expect(reasons.join('\n')).toMatch(reason);
  });

  it.each([
    '2026-06-30T23:59:60Z',
    '2026-05-01T12:00:00+24:00',
    '2026-05-01T12:00:00,5Z',
    '20260501T120000Z',
    '2026-05-01T12:00:00+02',
  ])('gives a malformed instant (%s) one reason, the format, and no false year reason', (occurredAt) => {
    // Act
    const reasons = reasonsOf(bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled', { occurredAt })));

    // Assess
    expect(reasons).toEqual([expect.stringMatching(/occurredAt: must be an ISO-8601 instant with a zone/)]);
  });

  it('still names the year range for a well-formed instant outside it once converted to UTC', () => {
    const detail = exampleDetail('CheckInToggled', { occurredAt: '0000-01-01T00:30:00+01:00' });
    expect(reasonsOf(bridgeEvent('CheckInToggled', detail))).toEqual([
      expect.stringMatching(/occurredAt: must fall in the years 0000-9999/),
    ]);
  });

  it('rejects another source', () => {
    expect(
      reasonsOf(bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled'), { source: 'billing' })).join(),
    ).toMatch(/source/);
  });

  it('rejects a detail-type outside the contract', () => {
    expect(reasonsOf(bridgeEvent('MatchCancelled', exampleDetail('MatchFinalized'))).join()).toMatch(
      /detail-type/,
    );
  });

  it('rejects a detail that is not a JSON object', () => {
    expect(reasonsOf(bridgeEvent('CheckInToggled', 'not json')).join()).toMatch(
      /detail: must be a JSON object/,
    );
  });

  it('rejects a detail too large to store as one activity', () => {
    const detail = exampleDetail('CheckInToggled', { padding: 'x'.repeat(MAX_DETAIL_BYTES) });
    expect(reasonsOf(bridgeEvent('CheckInToggled', detail)).join()).toMatch(/bytes/);
  });

  it('rejects something that is not an EventBridge event', () => {
    expect(reasonsOf({ hello: 'world' }).length).toBeGreaterThan(0);
    expect(reasonsOf(null).length).toBeGreaterThan(0);
  });
});
