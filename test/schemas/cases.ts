import type { DetailType } from '../../lambda/shared/contract/event-types.ts';

import { MAX_USERS_PER_EVENT } from '../../lambda/shared/contract/limits.ts';

const users = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

/** An object `levels` deep: `{ n: { n: … {} } }`. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i += 1) value = { n: value };
  return value;
}

/** Where a case departs from the rule "every validator refuses it, naming the overridden field". */
export interface CaseNotes {
  /** The field the refusal names; `null`: the detail as a whole. @default the overridden field */
  readonly field?: string | null;
  /**
   * JSON Schema has no keyword for the rule, so the published schemas accept the detail; the
   * recording side and the publisher (one validator, `checkDetail`) refuse it.
   */
  readonly beyondJsonSchema?: true;
}

/**
 * Details that break the contract: the JSON Schema, the handler and the publisher must all refuse
 * them (the JSON Schema excepted where the notes say it cannot state the rule).
 */
export const INVALID_DETAILS: readonly [
  name: string,
  DetailType,
  overrides: Record<string, unknown>,
  notes?: CaseNotes,
][] = [
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
  ['a gameId with ":"', 'MatchFinalized', { gameId: 'cs:go' }],
  ['an empty gameId', 'TournamentCompleted', { gameId: '' }],
  ['a 65-character gameId', 'DisputeOpened', { gameId: 'g'.repeat(65) }],
  ['a fractional gameId', 'CheckInToggled', { gameId: 7.5 }],
  ['a null gameId', 'RegistrationStatusChanged', { gameId: null }],
  [
    'a detail nested 150 levels deep',
    'DisputeOpened',
    { extra: nested(149) },
    { field: null, beyondJsonSchema: true },
  ],
];

/** Details at the edges of the contract that all three must accept. */
export const VALID_DETAILS: readonly [name: string, DetailType, overrides: Record<string, unknown>][] = [
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
  ['a time with an offset and fraction', 'DisputeResolved', { occurredAt: '2026-05-01T14:00:00.123+02:00' }],
  ['revision 0', 'CheckInToggled', { revision: 0 }],
  ['unknown extra fields', 'MatchResultSubmitted', { platformVersion: '3.2', score: { a: 2, b: 1 } }],
  ['a draw without winners', 'MatchFinalized', { isDraw: true, winnerUserIds: [] }],
  ['no winners', 'TournamentCompleted', { winnerUserIds: [] }],
  ['isDraw omitted', 'MatchFinalized', { isDraw: undefined }],
  ['a gameId', 'MatchFinalized', { gameId: 'valorant' }],
  ['a numeric gameId', 'PaymentStatusChanged', { gameId: 42 }],
  ['a 64-character gameId', 'MatchResultSubmitted', { gameId: 'g'.repeat(64) }],
];
