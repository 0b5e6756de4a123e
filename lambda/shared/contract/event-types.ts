import * as z from 'zod/mini';
import { idSchema, optionalUserListSchema, userListSchema } from './ids.ts';
import { utcInstant } from './instant.ts';
import { contractSchema } from './zod.ts';

/** The only major version of the event detail this code understands. */
export const SUPPORTED_SCHEMA_VERSION = 1;

/** Fields of every event type (some optional). Unknown extra fields are kept (forward compatibility). */
const commonFields = contractSchema(() => ({
  schemaVersion: z._default(
    z.literal(SUPPORTED_SCHEMA_VERSION, {
      error: `unsupported schemaVersion: only ${SUPPORTED_SCHEMA_VERSION} is understood; the event is kept for replay after an upgrade`,
    }),
    SUPPORTED_SCHEMA_VERSION,
  ),
  tournamentId: idSchema(),
  occurredAt: z.iso
    .datetime({
      offset: true,
      // A malformed instant gets this reason alone: the year check below would add a false second
      // one ("must fall in the years 0000-9999"), and the operator should fix what the message says.
      abort: true,
      error: 'must be an ISO-8601 instant with a zone, for example 2026-05-01T12:00:00Z',
    })
    .check(
      z.refine((value: string) => utcInstant(value) !== undefined, {
        error: 'must fall in the years 0000-9999 once converted to UTC',
      }),
    ),
  revision: z.optional(z.number().check(z.int(), z.minimum(0))),
  // An id like the others, so `7` and `"7"` are one game in the canonical form and the hash; never
  // part of the key: the contract fixes the key's format, and a game is not what tells actions apart.
  gameId: z.optional(idSchema()),
}));

type Issue = { path: (string | number)[]; message: string };

/** Reports every id in `ids` that is not in `participants`. */
function requireParticipants(
  ids: readonly string[],
  participants: readonly string[],
  field: string,
  issues: Issue[],
): void {
  const allowed = new Set(participants);
  ids.forEach((id, index) => {
    if (!allowed.has(id))
      issues.push({ path: [field, index], message: `user ${id} is not among participantUserIds` });
  });
}

/** A detail schema with the cross-field rules `check` reports, as a zod refinement. */
function withCrossFields<TSchema extends z.ZodMiniObject>(
  schema: TSchema,
  check: (detail: z.output<TSchema>, issues: Issue[]) => void,
): TSchema {
  return schema.check(
    z.superRefine((detail: z.output<TSchema>, ctx) => {
      const issues: Issue[] = [];
      check(detail, issues);
      for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }),
  );
}

/**
 * How one event type maps onto the idempotency key and the activity.
 * `status` must only return words that cannot contain a key separator.
 */
export interface EventTypeDefinition<TSchema extends z.ZodMiniType = z.ZodMiniType> {
  /** EventBridge `detail-type`, exactly. */
  readonly detailType: string;
  /** Key prefix and middle part of `activityType`. */
  readonly kind: string;
  /** Field of the detail whose id is the key's entity id. */
  readonly entityIdField: string;
  /** Field of the detail that lists the users an activity is recorded for. */
  readonly usersField: 'userIds' | 'participantUserIds';
  /** The status words the key can carry (documentation and tests); `*` marks a variable part. */
  readonly statusWords: readonly string[];
  /** One sentence for the docs. */
  readonly description: string;
  /** Validates and normalises the detail. */
  readonly schema: TSchema;
  /** The key's status word for a validated detail. */
  status(detail: z.output<TSchema>): string;
  /** The status part of `activityType`; defaults to the key's status word. */
  activityStatus?(detail: z.output<TSchema>): string;
  /** Cross-field rules JSON Schema cannot express, named for schema descriptions. */
  readonly crossFieldRules: readonly string[];
  /** A valid detail as a publisher sends it (docs, JSON Schema examples, tests). */
  readonly example: Readonly<Record<string, unknown>>;
}

/**
 * Keeps each `detailType` as its literal, so `DetailType` is the union of the eight names, and
 * builds the type's schema on first use: loading the declaration builds no schema, and a function
 * pays only for the types it receives.
 */
function define<const TDetailType extends string, TSchema extends z.ZodMiniType>(
  definition: Omit<EventTypeDefinition<TSchema>, 'schema'> & {
    readonly detailType: TDetailType;
    readonly schema: () => TSchema;
  },
): EventTypeDefinition<TSchema> & { readonly detailType: TDetailType } {
  const schema = contractSchema(definition.schema);
  return {
    ...definition,
    get schema() {
      return schema();
    },
  };
}

/**
 * The eight event types, declared once. Schemas, EventBridge rules, the local router, the JSON
 * Schemas, docs and tests all derive from this list: a new event type is one new entry here.
 */
export const EVENT_TYPES = [
  define({
    detailType: 'RegistrationStatusChanged',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-01T12:00:00Z',
      registrationId: 123,
      status: 'approved',
      userIds: [42],
    },
    kind: 'registration_status',
    entityIdField: 'registrationId',
    usersField: 'userIds',
    statusWords: ['approved', 'rejected'],
    description: 'A registration to a tournament was approved or rejected.',
    crossFieldRules: [],
    schema: () =>
      z.looseObject({
        ...commonFields(),
        registrationId: idSchema(),
        status: z.enum(['approved', 'rejected']),
        userIds: userListSchema(),
      }),
    status: (d) => d.status,
  }),
  define({
    detailType: 'PaymentStatusChanged',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-01T12:05:00Z',
      paymentId: 'pay_88',
      registrationId: 123,
      status: 'verified',
      userIds: [42],
    },
    kind: 'payment_status',
    entityIdField: 'paymentId',
    usersField: 'userIds',
    statusWords: ['verified', 'rejected'],
    description: 'A payment for a registration was verified or rejected.',
    crossFieldRules: [],
    schema: () =>
      z.looseObject({
        ...commonFields(),
        paymentId: idSchema(),
        registrationId: idSchema(),
        status: z.enum(['verified', 'rejected']),
        userIds: userListSchema(),
      }),
    status: (d) => d.status,
  }),
  define({
    detailType: 'CheckInToggled',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-02T09:00:00Z',
      registrationId: 77,
      checkedIn: true,
      userIds: [42],
    },
    kind: 'checkin',
    entityIdField: 'registrationId',
    usersField: 'userIds',
    statusWords: ['checked_in', 'checked_out'],
    description: 'A registration was checked in (true) or out (false) at the venue.',
    crossFieldRules: [],
    schema: () =>
      z.looseObject({
        ...commonFields(),
        registrationId: idSchema(),
        checkedIn: z.boolean(),
        userIds: userListSchema(),
      }),
    status: (d) => (d.checkedIn ? 'checked_in' : 'checked_out'),
  }),
  define({
    detailType: 'MatchResultSubmitted',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-02T10:30:00Z',
      matchId: 9,
      submittedByUserId: 42,
      participantUserIds: [42, 43],
    },
    kind: 'match_result',
    entityIdField: 'matchId',
    usersField: 'participantUserIds',
    statusWords: ['submitted_by_*'],
    description: "One side reported a match result; each side's report is its own action.",
    crossFieldRules: ['submittedByUserId must be one of participantUserIds'],
    schema: () =>
      withCrossFields(
        z.looseObject({
          ...commonFields(),
          matchId: idSchema(),
          submittedByUserId: idSchema(),
          participantUserIds: userListSchema(),
        }),
        (d, issues) =>
          requireParticipants([d.submittedByUserId], d.participantUserIds, 'submittedByUserId', issues),
      ),
    status: (d) => `submitted_by_${d.submittedByUserId}`,
    activityStatus: () => 'submitted',
  }),
  define({
    detailType: 'MatchFinalized',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-02T10:45:00Z',
      matchId: 9,
      resolution: 'completed',
      participantUserIds: [42, 43],
      winnerUserIds: [42],
      isDraw: false,
    },
    kind: 'match_finalized',
    entityIdField: 'matchId',
    usersField: 'participantUserIds',
    statusWords: ['completed', 'forfeit', 'dispute_resolved'],
    description:
      'A match result became final; a later finalization (after a dispute) replaces an earlier one.',
    crossFieldRules: ['every winnerUserIds entry must be one of participantUserIds'],
    schema: () =>
      withCrossFields(
        z.looseObject({
          ...commonFields(),
          matchId: idSchema(),
          resolution: z.enum(['completed', 'forfeit', 'dispute_resolved']),
          participantUserIds: userListSchema(),
          winnerUserIds: optionalUserListSchema(),
          isDraw: z._default(z.boolean(), false),
        }),
        (d, issues) => {
          requireParticipants(d.winnerUserIds, d.participantUserIds, 'winnerUserIds', issues);
          if (d.isDraw && d.winnerUserIds.length > 0)
            issues.push({ path: ['winnerUserIds'], message: 'must be empty when isDraw is true' });
        },
      ),
    status: (d) => d.resolution,
  }),
  define({
    detailType: 'DisputeOpened',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-02T11:00:00Z',
      disputeId: 5,
      matchId: 9,
      openedByUserId: 43,
      participantUserIds: [42, 43],
    },
    kind: 'dispute_opened',
    entityIdField: 'disputeId',
    usersField: 'participantUserIds',
    statusWords: ['open'],
    description: 'A participant disputed a match result.',
    crossFieldRules: ['openedByUserId must be one of participantUserIds'],
    schema: () =>
      withCrossFields(
        z.looseObject({
          ...commonFields(),
          disputeId: idSchema(),
          matchId: idSchema(),
          openedByUserId: idSchema(),
          participantUserIds: userListSchema(),
        }),
        (d, issues) =>
          requireParticipants([d.openedByUserId], d.participantUserIds, 'openedByUserId', issues),
      ),
    status: () => 'open',
  }),
  define({
    detailType: 'DisputeResolved',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-02T12:00:00Z',
      disputeId: 5,
      matchId: 9,
      resolution: 'upheld',
      participantUserIds: [42, 43],
    },
    kind: 'dispute_resolved',
    entityIdField: 'disputeId',
    usersField: 'participantUserIds',
    statusWords: ['upheld', 'rejected'],
    description: 'A dispute was upheld or rejected.',
    crossFieldRules: [],
    schema: () =>
      z.looseObject({
        ...commonFields(),
        disputeId: idSchema(),
        matchId: idSchema(),
        resolution: z.enum(['upheld', 'rejected']),
        participantUserIds: userListSchema(),
      }),
    status: (d) => d.resolution,
  }),
  define({
    detailType: 'TournamentCompleted',
    example: {
      tournamentId: 7,
      occurredAt: '2026-05-03T18:00:00Z',
      participantUserIds: [42, 43],
      winnerUserIds: [42],
    },
    kind: 'tournament_completed',
    entityIdField: 'tournamentId',
    usersField: 'participantUserIds',
    statusWords: ['completed'],
    description: 'A tournament finished; a later completion for the same tournament replaces an earlier one.',
    crossFieldRules: ['every winnerUserIds entry must be one of participantUserIds'],
    schema: () =>
      withCrossFields(
        z.looseObject({
          ...commonFields(),
          participantUserIds: userListSchema(),
          winnerUserIds: optionalUserListSchema(),
        }),
        (d, issues) => requireParticipants(d.winnerUserIds, d.participantUserIds, 'winnerUserIds', issues),
      ),
    status: () => 'completed',
  }),
] as const;

/** One of the eight `detail-type` names. */
export type DetailType = (typeof EVENT_TYPES)[number]['detailType'];

/** The validated detail of one event type. */
export type DetailOf<T extends DetailType> = z.output<
  Extract<(typeof EVENT_TYPES)[number], { detailType: T }>['schema']
>;

/** The detail as a publisher sends it (ids may be numbers, defaults may be omitted). */
export type DetailInputOf<T extends DetailType> = z.input<
  Extract<(typeof EVENT_TYPES)[number], { detailType: T }>['schema']
>;

/** All `detail-type` names, in declaration order. */
export const DETAIL_TYPES: readonly DetailType[] = EVENT_TYPES.map((t) => t.detailType);

const byDetailType = new Map<string, EventTypeDefinition>(
  EVENT_TYPES.map((t) => [t.detailType, t as unknown as EventTypeDefinition]),
);

const contractFields = new Map<EventTypeDefinition, readonly string[]>();

/** The fields the contract declares for an event type (common ones included), in declaration order. */
export function fieldsOf(definition: EventTypeDefinition): readonly string[] {
  let fields = contractFields.get(definition);
  if (!fields) {
    fields = Object.keys((definition.schema as unknown as z.ZodMiniObject).shape);
    contractFields.set(definition, fields);
  }
  return fields;
}

/** The declaration for a `detail-type`, or `undefined` for a name outside the contract. */
export function eventTypeOf(detailType: string): EventTypeDefinition | undefined {
  return byDetailType.get(detailType);
}
