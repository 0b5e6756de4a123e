import type { ProfileStats } from '../../lambda/statistics/domain/stats.ts';

/**
 * The statistics of a user without activities, written out field by field as the contract states
 * them, so a test compares against the contract and not against the code's own zero.
 */
export function noStatistics(userId: string): ProfileStats {
  return {
    userId,
    matchesPlayed: 0,
    matchesWon: 0,
    matchesLost: 0,
    matchesDrawn: 0,
    tournamentsPlayed: 0,
    tournamentsWon: 0,
    activityCount: 0,
    lastActivityAt: null,
  };
}
