import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingDependencies } from '../../lambda/adapters/recording.ts';
import type { RecordDependencies } from '../../lambda/application/record-event.ts';
import { EVENT_TYPES } from '../../lambda/domain/event-types.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import { isUserIncluded, parseFlag } from '../../lambda/domain/flag.ts';
import { createRecordHandler, type RecordSummary } from '../../lambda/handlers/record-activity.ts';
import { createTestTables, scanAll, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';
import { shuffled } from '../support/tournament.ts';

let db: TestTables;
let flag: FixedFlag;
let record: (event: unknown) => Promise<RecordSummary>;

beforeAll(async () => {
  db = await createTestTables();
  flag = new FixedFlag('on');
  const deps: RecordDependencies = recordingDependencies({
    client: db.doc,
    tables: db.names,
    flag,
  });
  record = createRecordHandler(deps);
});

async function activity(userId: string, idempotencyKey: string) {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.names.activities, Key: { userId, idempotencyKey }, ConsistentRead: true }),
  );
  return Item;
}

const allActivities = () => scanAll(db.doc, db.names.activities);

async function deadLetter(id: string) {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.names.deadLetters, Key: { deadLetterId: id } }),
  );
  return Item;
}

let unique = 0;
/** A detail with fresh ids, so tests sharing the tables never share keys. */
function freshDetail(
  detailType: (typeof EVENT_TYPES)[number]['detailType'],
  overrides: Record<string, unknown> = {},
) {
  unique += 1;
  const n = unique * 1000;
  const entity = { registrationId: n + 1, paymentId: `pay-${n}`, matchId: n + 2, disputeId: n + 3 };
  const users = { userIds: [`u${n}a`], participantUserIds: [`u${n}a`, `u${n}b`] };
  const roles = detailType === 'MatchResultSubmitted' ? { submittedByUserId: `u${n}a` } : {};
  const opener = detailType === 'DisputeOpened' ? { openedByUserId: `u${n}b` } : {};
  const winners =
    detailType === 'MatchFinalized' || detailType === 'TournamentCompleted'
      ? { winnerUserIds: [`u${n}a`] }
      : {};
  return exampleDetail(detailType, {
    tournamentId: `t${n}`,
    ...entity,
    ...users,
    ...roles,
    ...opener,
    ...winners,
    ...overrides,
  });
}

describe('recording an event', () => {
  it.each(EVENT_TYPES.map((t) => t.detailType))(
    'records one %s activity per affected user',
    async (detailType) => {
      const detail = freshDetail(detailType);
      const event = bridgeEvent(detailType, detail);
      const key = acceptEvent(event).idempotencyKey;
      const users = acceptEvent(event).userIds;

      const summary = await record(event);

      expect(summary).toMatchObject({
        status: 'processed',
        recorded: users.length,
        duplicates: 0,
        idempotencyKey: key,
      });
      for (const userId of users) {
        const item = await activity(userId, key);
        expect(item).toMatchObject({
          userId,
          idempotencyKey: key,
          detailType,
          tournamentId: String(detail.tournamentId),
          occurredAt: new Date(String(detail.occurredAt)).toISOString(),
          payloadHash: acceptEvent(event).payloadHash,
          eventId: event.id,
        });
        expect(item?.activityType).toMatch(/^tournament\./);
        expect(item?.fields).toMatchObject({ schemaVersion: 1 });
        expect(item?.payload).toBeUndefined();
        expect(Date.parse(String(item?.recordedAt))).not.toBeNaN();
      }
    },
  );

  it('records a retried event once', async () => {
    const detail = freshDetail('RegistrationStatusChanged');
    const first = await record(bridgeEvent('RegistrationStatusChanged', detail));
    const retry = await record(bridgeEvent('RegistrationStatusChanged', detail));
    expect(first).toMatchObject({ recorded: 1, duplicates: 0 });
    expect(retry).toMatchObject({ recorded: 0, duplicates: 1, conflicts: 0 });
    const key = `registration_status:${detail.registrationId}:approved`;
    expect((await allActivities()).filter((a) => a.idempotencyKey === key)).toHaveLength(1);
  });

  it('records 20 concurrent copies of the same event once per user', async () => {
    const detail = freshDetail('MatchFinalized');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => record(bridgeEvent('MatchFinalized', detail))),
    );
    const processed = results.filter((r) => r.status === 'processed');
    expect(processed.reduce((n, r) => n + r.recorded, 0)).toBe(2);
    expect(processed.reduce((n, r) => n + r.duplicates, 0)).toBe(38);
    const key = `match_finalized:${detail.matchId}:completed`;
    expect((await allActivities()).filter((a) => a.idempotencyKey === key)).toHaveLength(2);
  });

  it('reports a reused key with another payload as a conflict and keeps the first payload', async () => {
    const detail = freshDetail('MatchFinalized');
    await record(bridgeEvent('MatchFinalized', detail));
    const [winner, loser] = detail.participantUserIds as string[];
    const changed = { ...detail, winnerUserIds: [loser] };
    const summary = await record(bridgeEvent('MatchFinalized', changed));
    expect(summary).toMatchObject({ recorded: 0, duplicates: 0, conflicts: 2 });
    const stored = await activity(String(winner), `match_finalized:${detail.matchId}:completed`);
    expect(stored?.role).toBe('winner');
    expect(stored?.payloadHash).toBe(acceptEvent(bridgeEvent('MatchFinalized', detail)).payloadHash);
  });

  it('treats a replayed event like the original', async () => {
    const detail = freshDetail('DisputeResolved');
    await record(bridgeEvent('DisputeResolved', detail));
    const replay = await record(bridgeEvent('DisputeResolved', detail, { 'replay-name': 'after-outage' }));
    expect(replay).toMatchObject({ status: 'processed', recorded: 0, duplicates: 2 });
  });
});

describe('invalid events', () => {
  const cases: [string, () => ReturnType<typeof bridgeEvent>][] = [
    [
      'a schema violation',
      () => bridgeEvent('CheckInToggled', freshDetail('CheckInToggled', { checkedIn: 'yes' })),
    ],
    [
      'an id with a colon',
      () =>
        bridgeEvent(
          'RegistrationStatusChanged',
          freshDetail('RegistrationStatusChanged', { registrationId: '1:approved' }),
        ),
    ],
    [
      'an id with a hash',
      () => bridgeEvent('PaymentStatusChanged', freshDetail('PaymentStatusChanged', { paymentId: 'a#b' })),
    ],
    [
      'an id with a space',
      () => bridgeEvent('DisputeOpened', freshDetail('DisputeOpened', { disputeId: 'a b' })),
    ],
    [
      'winners not among participants',
      () => bridgeEvent('MatchFinalized', freshDetail('MatchFinalized', { winnerUserIds: ['zz'] })),
    ],
    [
      'a draw with winners',
      () => bridgeEvent('MatchFinalized', freshDetail('MatchFinalized', { isDraw: true })),
    ],
    [
      'an unknown schemaVersion',
      () => bridgeEvent('TournamentCompleted', freshDetail('TournamentCompleted', { schemaVersion: 2 })),
    ],
    [
      'a wrong source',
      () => bridgeEvent('CheckInToggled', freshDetail('CheckInToggled'), { source: 'billing' }),
    ],
    ['a wrong detail-type', () => bridgeEvent('MatchCancelled', freshDetail('MatchFinalized'))],
  ];

  it.each(cases)('stores %s as a dead letter with its reason and records nothing', async (_name, make) => {
    const event = make();
    const before = (await allActivities()).length;
    const summary = await record(event);
    expect(summary.status).toBe('invalid');
    if (summary.status !== 'invalid') return;
    expect((await allActivities()).length).toBe(before);
    const stored = await deadLetter(summary.deadLetterId);
    expect(stored).toMatchObject({ kind: 'invalid', eventId: event.id });
    expect(JSON.parse(String(stored?.event))).toEqual(event);
    expect(stored?.reasons).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  it('keeps one dead letter when the same invalid event arrives twice', async () => {
    const detail = freshDetail('CheckInToggled', { registrationId: 'bad id' });
    const a = await record(bridgeEvent('CheckInToggled', detail));
    const b = await record(bridgeEvent('CheckInToggled', detail));
    expect(a.status === 'invalid' && b.status === 'invalid' && a.deadLetterId === b.deadLetterId).toBe(true);
  });

  it('still records the next valid event after an invalid one', async () => {
    await record(bridgeEvent('CheckInToggled', freshDetail('CheckInToggled', { tournamentId: 'x:y' })));
    const summary = await record(bridgeEvent('CheckInToggled', freshDetail('CheckInToggled')));
    expect(summary).toMatchObject({ status: 'processed', recorded: 1 });
  });
});

describe('the flag', () => {
  it('skips every user while the flag is off, and records them after it is turned on', async () => {
    const detail = freshDetail('TournamentCompleted');
    flag.set('off');
    try {
      expect(await record(bridgeEvent('TournamentCompleted', detail))).toMatchObject({
        recorded: 0,
        skipped: 2,
      });
      expect(
        await activity(
          String((detail.participantUserIds as string[])[0]),
          `tournament_completed:${detail.tournamentId}:completed`,
        ),
      ).toBeUndefined();
    } finally {
      flag.set('on');
    }
    expect(await record(bridgeEvent('TournamentCompleted', detail))).toMatchObject({
      recorded: 2,
      skipped: 0,
    });
  });

  it('records only the users in the percentage', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `pct-${unique}-${i}`);
    const detail = freshDetail('RegistrationStatusChanged', { userIds: users });
    flag.set('30');
    try {
      const summary = await record(bridgeEvent('RegistrationStatusChanged', detail));
      const expected = users.filter((u) => isUserIncluded(parseFlag('30'), u));
      expect(summary).toMatchObject({ recorded: expected.length, skipped: users.length - expected.length });
      const key = `registration_status:${detail.registrationId}:approved`;
      for (const u of users) expect((await activity(u, key)) !== undefined).toBe(expected.includes(u));
    } finally {
      flag.set('on');
    }
  });

  it('treats a misconfigured value as off', async () => {
    flag.set('maybe');
    try {
      expect(await record(bridgeEvent('CheckInToggled', freshDetail('CheckInToggled')))).toMatchObject({
        recorded: 0,
        skipped: 1,
      });
    } finally {
      flag.set('on');
    }
  });
});

describe('any order and duplication of valid events', () => {
  it('stores exactly one activity per (user, key)', async () => {
    const types = EVENT_TYPES.map((t) => t.detailType);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...types), fc.integer({ min: 1, max: 4 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (plan, seed) => {
          const events = plan.flatMap(([type, copies]) => {
            const detail = freshDetail(type);
            return Array.from({ length: copies }, () => bridgeEvent(type, detail));
          });
          // Deterministic shuffle from the generated seed, so a failure replays exactly.
          const delivered = shuffled(events, seed);
          await Promise.all(delivered.map((e) => record(e)));
          const expected = new Set(
            events.flatMap((e) => acceptEvent(e).userIds.map((u) => `${u}|${acceptEvent(e).idempotencyKey}`)),
          );
          const stored = (await allActivities())
            .map((a) => `${a.userId}|${a.idempotencyKey}`)
            .filter((k) => expected.has(k));
          expect(stored.length).toBe(expected.size);
          expect(new Set(stored).size).toBe(expected.size);
        },
      ),
      { numRuns: 15, seed: 20261125 },
    );
  });
});
