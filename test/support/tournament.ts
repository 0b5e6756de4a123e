import fc from 'fast-check';
import {
  finalizationFields,
  finalizationsArbitrary,
  instant,
  type PlannedEvent,
} from '../../scripts/reliability/plans.ts';

export {
  finalizationsArbitrary,
  instant,
  type PlannedEvent,
  shuffled,
} from '../../scripts/reliability/plans.ts';

/**
 * Random tournaments: users, matches finalized (some re-finalized later or earlier with another
 * winner or a draw, as after a dispute), disputes, check-ins and completions. Ids are prefixed so
 * runs sharing tables never collide.
 */
export function tournamentArbitrary(prefix: string): fc.Arbitrary<PlannedEvent[]> {
  return fc
    .record({
      users: fc.integer({ min: 2, max: 6 }),
      matches: fc.array(
        fc.record({
          a: fc.nat(),
          b: fc.nat(),
          finalizations: finalizationsArbitrary(0),
          disputed: fc.boolean(),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      completions: fc.array(fc.record({ minute: fc.integer({ min: 40, max: 60 }), winners: fc.nat() }), {
        maxLength: 2,
      }),
      checkIns: fc.array(
        fc.record({ user: fc.nat(), minute: fc.nat({ max: 10 }), checkedIn: fc.boolean() }),
        { maxLength: 3 },
      ),
    })
    .map(({ users, matches, completions, checkIns }) => {
      const user = (n: number) => `${prefix}u${n % users}`;
      const everyone = Array.from({ length: users }, (_, i) => user(i));
      const tournamentId = `${prefix}t`;
      const events: PlannedEvent[] = [];
      matches.forEach((m, i) => {
        const a = user(m.a);
        const b = m.a % users === m.b % users ? user(m.a + 1) : user(m.b);
        const participantUserIds = [a, b];
        const matchId = `${prefix}m${i}`;
        // Each finalization is its own action (see finalizationFields).
        for (const [revision, f] of m.finalizations.entries())
          events.push({
            detailType: 'MatchFinalized',
            detail: { tournamentId, ...finalizationFields(f, { matchId, a, b }, revision) },
          });
        events.push({
          detailType: 'MatchResultSubmitted',
          detail: { tournamentId, occurredAt: instant(1), matchId, submittedByUserId: a, participantUserIds },
        });
        if (m.disputed)
          events.push({
            detailType: 'DisputeOpened',
            detail: {
              tournamentId,
              occurredAt: instant(2),
              disputeId: `${prefix}d${i}`,
              matchId,
              openedByUserId: b,
              participantUserIds,
            },
          });
      });
      for (const [revision, c] of completions.entries())
        events.push({
          detailType: 'TournamentCompleted',
          detail: {
            tournamentId,
            occurredAt: instant(c.minute),
            participantUserIds: everyone,
            winnerUserIds: [user(c.winners)],
            revision,
          },
        });
      for (const [i, c] of checkIns.entries())
        events.push({
          detailType: 'CheckInToggled',
          detail: {
            tournamentId,
            occurredAt: instant(c.minute),
            registrationId: `${prefix}r${i}`,
            checkedIn: c.checkedIn,
            userIds: [user(c.user)],
          },
        });
      return events;
    });
}
