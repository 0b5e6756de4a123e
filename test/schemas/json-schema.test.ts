import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../lambda/domain/errors.ts';
import { type DetailType, EVENT_TYPES } from '../../lambda/domain/event-types.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import { MAX_USERS_PER_EVENT } from '../../lambda/domain/ids.ts';
import { jsonSchemaOf } from '../../lambda/domain/json-schema.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = new Map(EVENT_TYPES.map((t) => [t.detailType, ajv.compile(jsonSchemaOf(t.detailType))]));

/** What a publisher's JSON Schema validator says about a detail, after the JSON round trip of the wire. */
function schemaAccepts(detailType: DetailType, detail: unknown): boolean {
  const validate = validators.get(detailType);
  if (!validate) throw new Error(`no validator for ${detailType}`);
  return validate(JSON.parse(JSON.stringify(detail)));
}

/** What the recording handler says about the same detail. */
function handlerAccepts(detailType: DetailType, detail: unknown): boolean {
  try {
    acceptEvent(bridgeEvent(detailType, JSON.parse(JSON.stringify(detail))));
    return true;
  } catch (error) {
    if (error instanceof InvalidEventError) return false;
    throw error;
  }
}

function without(detail: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = detail;
  return rest;
}

const users = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

describe('published JSON Schemas', () => {
  it.each(EVENT_TYPES.map((t) => t.detailType))(
    '%s is a valid JSON Schema 2020-12 with id, title and description',
    (detailType) => {
      const schema = jsonSchemaOf(detailType);
      expect(ajv.validateSchema(schema)).toBe(true);
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: expect.stringContaining(detailType),
        title: detailType,
        description: expect.any(String),
      });
    },
  );

  it.each(EVENT_TYPES.map((t) => t.detailType))(
    'the declared %s example passes the schema and the handler',
    (detailType) => {
      const example = exampleDetail(detailType);
      expect(schemaAccepts(detailType, example)).toBe(true);
      expect(handlerAccepts(detailType, example)).toBe(true);
    },
  );

  const invalid: [string, DetailType, Record<string, unknown>][] = [
    ['an id with ":"', 'RegistrationStatusChanged', { registrationId: 'a:b' }],
    ['an id with "#"', 'PaymentStatusChanged', { paymentId: 'pay#1' }],
    ['an id with a space', 'MatchFinalized', { matchId: 'm 1' }],
    ['an empty id', 'DisputeOpened', { disputeId: '' }],
    ['a 65-character id', 'TournamentCompleted', { tournamentId: 'x'.repeat(65) }],
    ['a float id', 'CheckInToggled', { registrationId: 1.5 }],
    ['a negative id', 'DisputeResolved', { disputeId: -3 }],
    ['a zero id', 'MatchResultSubmitted', { matchId: 0 }],
    ['an id past MAX_SAFE_INTEGER', 'RegistrationStatusChanged', { tournamentId: 2 ** 53 }],
    ['a boolean id', 'RegistrationStatusChanged', { tournamentId: true }],
    ['a null id', 'RegistrationStatusChanged', { tournamentId: null }],
    ['an invalid user id', 'RegistrationStatusChanged', { userIds: [42, 'a:b'] }],
    ['an empty user list', 'RegistrationStatusChanged', { userIds: [] }],
    ['an empty participant list', 'TournamentCompleted', { participantUserIds: [], winnerUserIds: [] }],
    [`${MAX_USERS_PER_EVENT + 1} users`, 'PaymentStatusChanged', { userIds: users(MAX_USERS_PER_EVENT + 1) }],
    [
      `${MAX_USERS_PER_EVENT + 1} winners`,
      'TournamentCompleted',
      {
        participantUserIds: users(MAX_USERS_PER_EVENT),
        winnerUserIds: [...users(MAX_USERS_PER_EVENT), 1],
      },
    ],
    ['a user list that is not an array', 'CheckInToggled', { userIds: '42' }],
    ['a status outside the enum', 'RegistrationStatusChanged', { status: 'pending' }],
    ['a resolution outside the enum', 'MatchFinalized', { resolution: 'cancelled' }],
    ['a resolution of another event type', 'DisputeResolved', { resolution: 'completed' }],
    ['schemaVersion 2', 'CheckInToggled', { schemaVersion: 2 }],
    ['schemaVersion as a string', 'CheckInToggled', { schemaVersion: '1' }],
    ['a zone-less time', 'RegistrationStatusChanged', { occurredAt: '2026-05-01T12:00:00' }],
    ['a date without time', 'RegistrationStatusChanged', { occurredAt: '2026-05-01' }],
    ['an impossible date', 'RegistrationStatusChanged', { occurredAt: '2026-02-30T12:00:00Z' }],
    ['a time as epoch number', 'RegistrationStatusChanged', { occurredAt: 1_777_636_800 }],
    ['checkedIn as a string', 'CheckInToggled', { checkedIn: 'yes' }],
    ['isDraw as a string', 'MatchFinalized', { isDraw: 'false' }],
    ['a negative revision', 'CheckInToggled', { revision: -1 }],
    ['a fractional revision', 'CheckInToggled', { revision: 1.5 }],
    ['isDraw with winners', 'MatchFinalized', { isDraw: true, winnerUserIds: [42] }],
  ];

  it.each(invalid)('schema and handler both refuse %s (%s)', (_name, detailType, overrides) => {
    const detail = exampleDetail(detailType, overrides);
    expect(handlerAccepts(detailType, detail)).toBe(false);
    expect(schemaAccepts(detailType, detail)).toBe(false);
  });

  const missing = EVENT_TYPES.flatMap((t) =>
    (jsonSchemaOf(t.detailType).required as string[]).map((field) => [t.detailType, field] as const),
  );

  it.each(missing)('schema and handler both refuse %s without %s', (detailType, field) => {
    const detail = without(exampleDetail(detailType), field);
    expect(handlerAccepts(detailType, detail)).toBe(false);
    expect(schemaAccepts(detailType, detail)).toBe(false);
  });

  const valid: [string, DetailType, Record<string, unknown>][] = [
    [
      'string ids',
      'RegistrationStatusChanged',
      { tournamentId: 'T-7.a_b', registrationId: 'r1', userIds: ['u1'] },
    ],
    ['a 64-character id', 'TournamentCompleted', { tournamentId: 'x'.repeat(64) }],
    ['MAX_SAFE_INTEGER as an id', 'MatchFinalized', { matchId: Number.MAX_SAFE_INTEGER }],
    [`${MAX_USERS_PER_EVENT} users`, 'PaymentStatusChanged', { userIds: users(MAX_USERS_PER_EVENT) }],
    ['duplicate users', 'CheckInToggled', { userIds: [42, '42', 42] }],
    ['explicit schemaVersion 1', 'DisputeOpened', { schemaVersion: 1 }],
    [
      'a time with an offset and fraction',
      'DisputeResolved',
      { occurredAt: '2026-05-01T14:00:00.123+02:00' },
    ],
    ['revision 0', 'CheckInToggled', { revision: 0 }],
    ['unknown extra fields', 'MatchResultSubmitted', { platformVersion: '3.2', score: { a: 2, b: 1 } }],
    ['a draw without winners', 'MatchFinalized', { isDraw: true, winnerUserIds: [] }],
    ['no winners', 'TournamentCompleted', { winnerUserIds: [] }],
    ['isDraw omitted', 'MatchFinalized', { isDraw: undefined }],
  ];

  it.each(valid)('schema and handler both accept %s (%s)', (_name, detailType, overrides) => {
    const detail = exampleDetail(detailType, overrides);
    expect(handlerAccepts(detailType, detail)).toBe(true);
    expect(schemaAccepts(detailType, detail)).toBe(true);
  });

  it('agrees with the handler on arbitrary ids', () => {
    const anyId = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.stringMatching(/^[A-Za-z0-9_.:# -]{0,66}$/),
      fc.integer({ min: -5, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(null, true, [], {}),
    );
    fc.assert(
      fc.property(anyId, (id) => {
        const detail = exampleDetail('DisputeOpened', { disputeId: id });
        expect(schemaAccepts('DisputeOpened', detail)).toBe(handlerAccepts('DisputeOpened', detail));
      }),
      { numRuns: 500 },
    );
  });

  describe('rules only the handler can check', () => {
    it.each([
      [
        'MatchFinalized',
        { winnerUserIds: [99] },
        'every winnerUserIds entry must be one of participantUserIds',
      ],
      [
        'TournamentCompleted',
        { winnerUserIds: [99] },
        'every winnerUserIds entry must be one of participantUserIds',
      ],
      [
        'MatchResultSubmitted',
        { submittedByUserId: 99 },
        'submittedByUserId must be one of participantUserIds',
      ],
      ['DisputeOpened', { openedByUserId: 99 }, 'openedByUserId must be one of participantUserIds'],
    ] as const)(
      '%s %j passes the schema, is refused by the handler, and the schema names the rule',
      (detailType, overrides, rule) => {
        const detail = exampleDetail(detailType, overrides);
        expect(schemaAccepts(detailType, detail)).toBe(true);
        expect(handlerAccepts(detailType, detail)).toBe(false);
        expect(jsonSchemaOf(detailType).description).toContain(rule);
      },
    );
  });

  it('refuses a name outside the contract with the list of valid ones', () => {
    expect(() => jsonSchemaOf('MatchCancelled' as DetailType)).toThrow(/MatchFinalized/);
  });
});
