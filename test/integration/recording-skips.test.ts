import { describe, expect, it } from 'vitest';
import { isUserIncluded, parseFlag } from '../../lambda/shared/contract/flag.ts';
import { bridgeEvent } from '../support/events.ts';
import { RecordingRig } from '../support/recording.ts';
import { sharedFixture } from '../support/shared.ts';

const rig = sharedFixture(RecordingRig.start);

describe('invalid events', () => {
  const cases: [string, () => ReturnType<typeof bridgeEvent>][] = [
    [
      'a schema violation',
      () => bridgeEvent('CheckInToggled', rig.freshDetail('CheckInToggled', { checkedIn: 'yes' })),
    ],
    [
      'an id with a colon',
      () =>
        bridgeEvent(
          'RegistrationStatusChanged',
          rig.freshDetail('RegistrationStatusChanged', { registrationId: '1:approved' }),
        ),
    ],
    [
      'an id with a hash',
      () =>
        bridgeEvent('PaymentStatusChanged', rig.freshDetail('PaymentStatusChanged', { paymentId: 'a#b' })),
    ],
    [
      'an id with a space',
      () => bridgeEvent('DisputeOpened', rig.freshDetail('DisputeOpened', { disputeId: 'a b' })),
    ],
    [
      'winners not among participants',
      () => bridgeEvent('MatchFinalized', rig.freshDetail('MatchFinalized', { winnerUserIds: ['zz'] })),
    ],
    [
      'a draw with winners',
      () => bridgeEvent('MatchFinalized', rig.freshDetail('MatchFinalized', { isDraw: true })),
    ],
    [
      'an unknown schemaVersion',
      () => bridgeEvent('TournamentCompleted', rig.freshDetail('TournamentCompleted', { schemaVersion: 2 })),
    ],
    [
      'a wrong source',
      () => bridgeEvent('CheckInToggled', rig.freshDetail('CheckInToggled'), { source: 'billing' }),
    ],
    ['a wrong detail-type', () => bridgeEvent('MatchCancelled', rig.freshDetail('MatchFinalized'))],
  ];

  it.each(cases)('stores %s as a dead letter with its reason and records nothing', async (_name, make) => {
    const event = make();
    const before = (await rig.allActivities()).length;
    const summary = await rig.record(event);
    expect(summary.status).toBe('invalid');
    if (summary.status !== 'invalid') return;
    expect((await rig.allActivities()).length).toBe(before);
    const stored = await rig.deadLetter(summary.deadLetterId);
    expect(stored).toMatchObject({ kind: 'invalid', eventId: event.id });
    expect(JSON.parse(String(stored?.event))).toEqual(event);
    expect(stored?.reasons).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  it('keeps one dead letter when the same invalid event arrives twice', async () => {
    const detail = rig.freshDetail('CheckInToggled', { registrationId: 'bad id' });
    const a = await rig.record(bridgeEvent('CheckInToggled', detail));
    const b = await rig.record(bridgeEvent('CheckInToggled', detail));
    expect(a.status === 'invalid' && b.status === 'invalid' && a.deadLetterId === b.deadLetterId).toBe(true);
  });

  it('still records the next valid event after an invalid one', async () => {
    await rig.record(
      bridgeEvent('CheckInToggled', rig.freshDetail('CheckInToggled', { tournamentId: 'x:y' })),
    );
    const summary = await rig.record(bridgeEvent('CheckInToggled', rig.freshDetail('CheckInToggled')));
    expect(summary).toMatchObject({ status: 'processed', recorded: 1 });
  });
});

describe('the flag', () => {
  it('skips every user while the flag is off, and records them after it is turned on', async () => {
    const detail = rig.freshDetail('TournamentCompleted');
    rig.flag.set('off');
    try {
      // Act and assess: with the flag off, nobody is recorded
      expect(await rig.record(bridgeEvent('TournamentCompleted', detail))).toMatchObject({
        recorded: 0,
        skipped: 2,
      });
      expect(
        await rig.activity(
          String((detail.participantUserIds as string[])[0]),
          `tournament_completed:${detail.tournamentId}:completed`,
        ),
      ).toBeUndefined();
    } finally {
      rig.flag.set('on');
    }

    // Act and assess: the same event once the flag is on records everyone
    expect(await rig.record(bridgeEvent('TournamentCompleted', detail))).toMatchObject({
      recorded: 2,
      skipped: 0,
    });
  });

  it('records only the users in the percentage', async () => {
    const n = rig.freshNumber();
    const users = Array.from({ length: 40 }, (_, i) => `pct-${n}-${i}`);
    const detail = rig.freshDetail('RegistrationStatusChanged', { userIds: users });
    rig.flag.set('30');
    try {
      const summary = await rig.record(bridgeEvent('RegistrationStatusChanged', detail));
      const expected = users.filter((u) => isUserIncluded(parseFlag('30'), u));
      expect(summary).toMatchObject({ recorded: expected.length, skipped: users.length - expected.length });
      const key = `registration_status:${detail.registrationId}:approved`;
      for (const u of users) expect((await rig.activity(u, key)) !== undefined).toBe(expected.includes(u));
    } finally {
      rig.flag.set('on');
    }
  });

  it('treats a misconfigured value as off', async () => {
    rig.flag.set('maybe');
    try {
      expect(
        await rig.record(bridgeEvent('CheckInToggled', rig.freshDetail('CheckInToggled'))),
      ).toMatchObject({
        recorded: 0,
        skipped: 1,
      });
    } finally {
      rig.flag.set('on');
    }
  });
});
