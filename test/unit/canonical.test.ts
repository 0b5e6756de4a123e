import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSameAction } from '../../lambda/recording/domain/activities.ts';
import { canonicalJson, legacyPayloadHash } from '../../lambda/shared/contract/canonical.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { InvalidEventError } from '../../lambda/shared/errors.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';

const finalized = (overrides: Record<string, unknown> = {}) =>
  acceptEvent(bridgeEvent('MatchFinalized', exampleDetail('MatchFinalized', overrides)));

/** A detail parsed from JSON text, so `__proto__` is an own field as it is on the wire. */
const fromJson = (text: string) => JSON.parse(text) as Record<string, unknown>;

function reasonsOf(detail: Record<string, unknown>): string {
  try {
    acceptEvent(bridgeEvent('MatchFinalized', detail));
  } catch (error) {
    if (error instanceof InvalidEventError) return error.reasons.join('\n');
    throw error;
  }
  throw new Error('event was accepted');
}

describe('the canonical form of a detail', () => {
  it('treats one instant spelled by isoformat(), DjangoJSONEncoder and another offset as one action', () => {
    const spellings = [
      '2026-05-01T10:00:00.123456+00:00',
      '2026-05-01T10:00:00.123Z',
      '2026-05-01T12:00:00.123+02:00',
      '2026-05-01T05:30:00.1239-04:30',
    ];
    const hashes = spellings.map((occurredAt) => finalized({ occurredAt }).payloadHash);
    expect(new Set(hashes).size).toBe(1);
    expect(finalized({ occurredAt: spellings[0] }).occurredAt).toBe('2026-05-01T10:00:00.123Z');
  });

  it('tells instants a millisecond apart apart', () => {
    expect(finalized({ occurredAt: '2026-05-01T10:00:00.123Z' }).payloadHash).not.toBe(
      finalized({ occurredAt: '2026-05-01T10:00:00.124Z' }).payloadHash,
    );
  });

  it('compares user lists as sets and ids whatever their spelling', () => {
    const a = finalized({ participantUserIds: [42, 43], winnerUserIds: [42] });
    const b = finalized({ participantUserIds: ['43', '42', 43], winnerUserIds: ['42', 42] });
    expect(b.payloadHash).toBe(a.payloadHash);
    expect(finalized({ participantUserIds: [42, 44], winnerUserIds: [42] }).payloadHash).not.toBe(
      a.payloadHash,
    );
  });

  it('gives the same hash whatever the order of keys, users and the spelling of the zone', () => {
    const zones = ['Z', '+00:00', '-00:00'];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['a1', 'b2', 'c3', 'd4', 'e5'], { minLength: 5, maxLength: 5 }),
        fc.constantFrom(...zones),
        fc.boolean(),
        (users, zone, reverseKeys) => {
          // Prepare: the same detail in a generated spelling, and in the reference spelling
          const detail = exampleDetail('TournamentCompleted', {
            occurredAt: `2026-05-03T18:00:00.000${zone}`,
            participantUserIds: users,
            winnerUserIds: ['c3'],
          });
          const ordered = reverseKeys ? Object.fromEntries(Object.entries(detail).reverse()) : detail;
          const reference = exampleDetail('TournamentCompleted', {
            occurredAt: '2026-05-03T18:00:00Z',
            participantUserIds: ['a1', 'b2', 'c3', 'd4', 'e5'],
            winnerUserIds: ['c3'],
          });

          // Act and assess
          expect(acceptEvent(bridgeEvent('TournamentCompleted', ordered)).payloadHash).toBe(
            acceptEvent(bridgeEvent('TournamentCompleted', reference)).payloadHash,
          );
        },
      ),
    );
  });

  it('treats a game spelled 7 or "7" as one game, and another game or none as another action', () => {
    // Act
    const [number, text] = [finalized({ gameId: 7 }), finalized({ gameId: '7' })];
    // Assess
    expect(number.payloadHash).toBe(text.payloadHash);
    expect(finalized({ gameId: 8 }).payloadHash).not.toBe(number.payloadHash);
    expect(finalized().payloadHash).not.toBe(number.payloadHash);
    expect(finalized({ gameId: 7 }).idempotencyKey).toBe(finalized().idempotencyKey);
  });

  it('gives an event without a game the hash it had before games existed', () => {
    // The hash of the declared example, as stored by every version since the v2 form: resends of
    // events published before gameId existed must stay duplicates, not conflicts.
    expect(finalized().payloadHash).toBe(
      'v2:4d63d39fd8251764531291cfbb1db758e5fc9db2743ff8aa1cbbd69a76a93a02',
    );
  });

  it('is versioned, so a stored hash says which form it was made from', () => {
    expect(finalized().payloadHash).toMatch(/^v2:[0-9a-f]{64}$/);
  });
});

describe('field names are data', () => {
  const base = JSON.stringify(exampleDetail('MatchFinalized')).slice(0, -1);

  it('keeps an extra field named __proto__ or constructor in the accepted detail and the hash', () => {
    const accepted = acceptEvent(
      bridgeEvent('MatchFinalized', fromJson(`${base},"__proto__":{"x":1},"constructor":{"y":2}}`)),
    );
    expect(Object.keys(accepted.detail)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
    expect(Object.getOwnPropertyDescriptor(accepted.detail, '__proto__')?.value).toEqual({ x: 1 });
    const without = acceptEvent(bridgeEvent('MatchFinalized', fromJson(`${base},"constructor":{"y":2}}`)));
    expect(accepted.payloadHash).not.toBe(without.payloadHash);
  });

  it('judges a difference inside a nested __proto__ a different action', () => {
    const one = fromJson(`${base},"meta":{"__proto__":{"note":"first"}}}`);
    const two = fromJson(`${base},"meta":{"__proto__":{"note":"second"}}}`);
    expect(acceptEvent(bridgeEvent('MatchFinalized', one)).payloadHash).not.toBe(
      acceptEvent(bridgeEvent('MatchFinalized', two)).payloadHash,
    );
  });

  it('writes __proto__ keys into canonical JSON like any other key, sorted', () => {
    expect(canonicalJson(fromJson('{"b":1,"__proto__":{"c":[2]},"a":null}'))).toBe(
      '{"__proto__":{"c":[2]},"a":null,"b":1}',
    );
  });
});

describe('instants in the years 0000-9999', () => {
  it('refuses an instant whose UTC form falls past 9999, with the reason', () => {
    expect(reasonsOf(exampleDetail('MatchFinalized', { occurredAt: '9999-12-31T23:30:00-01:00' }))).toMatch(
      /occurredAt: must fall in the years 0000-9999 once converted to UTC/,
    );
  });

  it('refuses an instant whose UTC form falls before 0000', () => {
    expect(reasonsOf(exampleDetail('MatchFinalized', { occurredAt: '0000-01-01T00:30:00+01:00' }))).toMatch(
      /occurredAt: must fall in the years 0000-9999/,
    );
  });

  it('accepts the first and last millisecond of the range, and keeps their order as strings', () => {
    const first = finalized({ occurredAt: '0000-01-01T00:00:00Z' }).occurredAt;
    const last = finalized({ occurredAt: '9999-12-31T23:59:59.999Z' }).occurredAt;
    expect([first, last]).toEqual(['0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
    expect(first < last).toBe(true);
  });
});

describe('stored hashes of the previous version', () => {
  const original = exampleDetail('MatchFinalized', { occurredAt: '2026-05-01T10:00:00.123456+00:00' });
  const previous = acceptEvent(bridgeEvent('MatchFinalized', original));
  // What the previous version stored: the validated detail as JSON and an unprefixed hash.
  const stored = {
    payloadHash: legacyPayloadHash(previous.detail),
    payload: JSON.stringify(previous.detail),
  };

  it('are duplicates of the same action spelled another way (recomputed from the stored payload)', () => {
    const respelled = finalized({ occurredAt: '2026-05-01T12:00:00.123+02:00' });
    expect(isSameAction(respelled, stored)).toBe(true);
  });

  it('are conflicts with another action under the same key', () => {
    expect(isSameAction(finalized({ occurredAt: original.occurredAt, winnerUserIds: [43] }), stored)).toBe(
      false,
    );
  });

  it('compare by the previous hash when no payload is stored', () => {
    expect(isSameAction(previous, { payloadHash: stored.payloadHash })).toBe(true);
    expect(isSameAction(finalized({ winnerUserIds: [43] }), { payloadHash: stored.payloadHash })).toBe(false);
  });
});
