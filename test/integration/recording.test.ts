import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { bridgeEvent } from '../support/events.ts';
import { RecordingRig } from '../support/recording.ts';
import { sharedFixture } from '../support/shared.ts';
import { shuffled } from '../support/tournament.ts';

const rig = sharedFixture(RecordingRig.start);

describe('recording an event', () => {
  it.each(EVENT_TYPES.map((t) => t.detailType))(
    'records one %s activity per affected user',
    async (detailType) => {
      // Prepare
      const detail = rig.freshDetail(detailType);
      const event = bridgeEvent(detailType, detail);
      const key = acceptEvent(event).idempotencyKey;
      const users = acceptEvent(event).userIds;

      // Act
      const summary = await rig.record(event);

      // Assess: one activity per user, with the event's identity and no copy of the payload
      expect(summary).toMatchObject({
        status: 'processed',
        recorded: users.length,
        duplicates: 0,
        idempotencyKey: key,
      });
      for (const userId of users) {
        const item = await rig.activity(userId, key);
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
    const detail = rig.freshDetail('RegistrationStatusChanged');
    const first = await rig.record(bridgeEvent('RegistrationStatusChanged', detail));
    const retry = await rig.record(bridgeEvent('RegistrationStatusChanged', detail));
    expect(first).toMatchObject({ recorded: 1, duplicates: 0 });
    expect(retry).toMatchObject({ recorded: 0, duplicates: 1, conflicts: 0 });
    const key = `registration_status:${detail.registrationId}:approved`;
    expect((await rig.allActivities()).filter((a) => a.idempotencyKey === key)).toHaveLength(1);
  });

  it('records 20 concurrent copies of the same event once per user', async () => {
    const detail = rig.freshDetail('MatchFinalized');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => rig.record(bridgeEvent('MatchFinalized', detail))),
    );
    const processed = results.filter((r) => r.status === 'processed');
    expect(processed.reduce((n, r) => n + r.recorded, 0)).toBe(2);
    expect(processed.reduce((n, r) => n + r.duplicates, 0)).toBe(38);
    const key = `match_finalized:${detail.matchId}:completed`;
    expect((await rig.allActivities()).filter((a) => a.idempotencyKey === key)).toHaveLength(2);
  });

  it('reports a reused key with another payload as a conflict and keeps the first payload', async () => {
    const detail = rig.freshDetail('MatchFinalized');
    await rig.record(bridgeEvent('MatchFinalized', detail));
    const [winner, loser] = detail.participantUserIds as string[];
    const changed = { ...detail, winnerUserIds: [loser] };
    const summary = await rig.record(bridgeEvent('MatchFinalized', changed));
    expect(summary).toMatchObject({ recorded: 0, duplicates: 0, conflicts: 2 });
    const stored = await rig.activity(String(winner), `match_finalized:${detail.matchId}:completed`);
    expect(stored?.role).toBe('winner');
    expect(stored?.payloadHash).toBe(acceptEvent(bridgeEvent('MatchFinalized', detail)).payloadHash);
  });

  it('treats a replayed event like the original', async () => {
    const detail = rig.freshDetail('DisputeResolved');
    await rig.record(bridgeEvent('DisputeResolved', detail));
    const replay = await rig.record(
      bridgeEvent('DisputeResolved', detail, { 'replay-name': 'after-outage' }),
    );
    expect(replay).toMatchObject({ status: 'processed', recorded: 0, duplicates: 2 });
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
          // Prepare: each planned action as several copies
          const events = plan.flatMap(([type, copies]) => {
            const detail = rig.freshDetail(type);
            return Array.from({ length: copies }, () => bridgeEvent(type, detail));
          });
          // Act: all copies at once, in a deterministic shuffle from the generated seed (a failure
          // replays exactly)
          const delivered = shuffled(events, seed);
          await Promise.all(delivered.map((e) => rig.record(e)));

          // Assess
          const expected = new Set(
            events.flatMap((e) => acceptEvent(e).userIds.map((u) => `${u}|${acceptEvent(e).idempotencyKey}`)),
          );
          const stored = (await rig.allActivities())
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
