import { describe, expect, it } from 'vitest';
import { activityFor } from '../../lambda/recording/domain/activities.ts';

import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { type StatsActivity, statsOf, winRate } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOf } from '../../lambda/statistics/domain/stats-activity.ts';
import { bridgeEvent } from '../support/events.ts';
import { noStatistics } from '../support/statistics.ts';
import type { PlannedEvent } from '../support/tournament.ts';

function activitiesOf(events: readonly PlannedEvent[]): StatsActivity[] {
  return events.flatMap((e) => {
    const accepted = acceptEvent(bridgeEvent(e.detailType, e.detail));
    return accepted.userIds.map((u) => statsActivityOf(activityFor(accepted, u, new Date(0))));
  });
}

const finalized = (minute: number, winners: string[], extra: Record<string, unknown> = {}): PlannedEvent => ({
  detailType: 'MatchFinalized',
  detail: {
    tournamentId: 't1',
    occurredAt: new Date(Date.UTC(2026, 4, 1, 12, minute)).toISOString(),
    matchId: 'm1',
    resolution: minute === 0 ? 'completed' : 'dispute_resolved',
    participantUserIds: ['alice', 'bob'],
    winnerUserIds: winners,
    ...extra,
  },
});

describe('statsOf, the reference definition', () => {
  it('gives zeros and no lastActivityAt for a user without activities', () => {
    expect(statsOf('nobody', [])).toEqual(noStatistics('nobody'));
  });

  it('counts only the latest finalization of a match (a dispute overturns the result)', () => {
    const activities = activitiesOf([finalized(0, ['alice']), finalized(30, ['bob'])]);
    expect(statsOf('alice', activities)).toMatchObject({
      matchesWon: 0,
      matchesLost: 1,
      matchesPlayed: 1,
      activityCount: 2,
    });
    expect(statsOf('bob', activities)).toMatchObject({ matchesWon: 1, matchesLost: 0, matchesPlayed: 1 });
  });

  it('breaks a tie on occurredAt by the idempotency key', () => {
    const forfeit = finalized(0, ['bob'], { resolution: 'forfeit' });
    const activities = activitiesOf([finalized(0, ['alice']), forfeit]);
    // 'match_finalized:m1:forfeit' > 'match_finalized:m1:completed'
    expect(statsOf('bob', activities)).toMatchObject({ matchesWon: 1 });
  });

  it('compares occurredAt as an instant, whatever the zone it was written in', () => {
    const early = finalized(0, ['alice'], { occurredAt: '2026-05-01T13:30:00+02:00' }); // 11:30Z
    const late = finalized(0, ['bob'], {
      occurredAt: '2026-05-01T12:00:00Z',
      resolution: 'dispute_resolved',
    });
    expect(statsOf('bob', activitiesOf([late, early]))).toMatchObject({ matchesWon: 1 });
  });

  it('counts draws for both participants', () => {
    const activities = activitiesOf([finalized(0, [], { isDraw: true })]);
    expect(statsOf('alice', activities)).toMatchObject({ matchesDrawn: 1, matchesPlayed: 1, matchesLost: 0 });
  });

  it('counts tournaments played and won by latest completion', () => {
    const completion = (minute: number, winners: string[]): PlannedEvent => ({
      detailType: 'TournamentCompleted',
      detail: {
        tournamentId: 't1',
        occurredAt: `2026-05-03T18:${String(minute).padStart(2, '0')}:00Z`,
        participantUserIds: ['alice', 'bob'],
        winnerUserIds: winners,
        revision: minute,
      },
    });
    const activities = activitiesOf([completion(10, ['bob']), completion(0, ['alice'])]);
    expect(statsOf('alice', activities)).toMatchObject({ tournamentsPlayed: 1, tournamentsWon: 0 });
    expect(statsOf('bob', activities)).toMatchObject({
      tournamentsPlayed: 1,
      tournamentsWon: 1,
      activityCount: 2,
    });
  });

  it('counts duplicates once and takes the latest occurredAt', () => {
    const activities = activitiesOf([
      finalized(0, ['alice']),
      finalized(0, ['alice']),
      finalized(5, ['alice']),
    ]);
    expect(statsOf('alice', activities)).toMatchObject({
      activityCount: 2,
      lastActivityAt: '2026-05-01T12:05:00.000Z',
    });
  });

  it('derives winRate, 0 with no match played', () => {
    expect(winRate({ matchesWon: 3, matchesPlayed: 4 })).toBe(0.75);
    expect(winRate({ matchesWon: 0, matchesPlayed: 0 })).toBe(0);
  });
});
