/** What the chaos runs tried and what held; every number is counted, none estimated. */
export interface ChaosFigures {
  runs: number;
  /** Distinct valid actions generated. */
  uniqueEvents: number;
  /** Distinct actions broken on purpose. */
  invalidEvents: number;
  /** PutEvents entries sent, copies included. */
  published: number;
  /** Entries that were a copy of an action already sent. */
  duplicates: number;
  flagChanges: number;
  recordFaultsBeforeWrite: number;
  recordFaultsAfterWrite: number;
  statisticsFaults: number;
  consumerRestarts: number;
  /** (user, key) activities the flag admitted: each must exist exactly once. */
  expectedActivities: number;
  usersChecked: number;
  /** Per-game statistics checked (one per user and game): games reached the projector. */
  gameStatisticsChecked: number;
  /** Expected activities missing, plus statistics below the oracle. */
  losses: number;
  /** Activities that must not exist (excluded user, unknown key), plus statistics above the oracle. */
  doubles: number;
  /** Users whose statistics (overall or in a game, streaks included) differ from the contract's. */
  statsMismatches: number;
  /** Broken events without their dead letter. */
  missingDeadLetters: number;
  /** Valid events that exhausted their delivery attempts or statistics that were given up. */
  givenUp: number;
  /** Users erased while a segment was being published. */
  erasures: number;
  /** Items of erased users found at the end (recorded or projected after the erasure took effect). */
  erasedLeftovers: number;
  durationMs: number;
}

/** Figures of a campaign that has not run yet. */
export const emptyFigures = (): ChaosFigures => ({
  runs: 0,
  uniqueEvents: 0,
  invalidEvents: 0,
  published: 0,
  duplicates: 0,
  flagChanges: 0,
  recordFaultsBeforeWrite: 0,
  recordFaultsAfterWrite: 0,
  statisticsFaults: 0,
  consumerRestarts: 0,
  expectedActivities: 0,
  usersChecked: 0,
  gameStatisticsChecked: 0,
  losses: 0,
  doubles: 0,
  statsMismatches: 0,
  missingDeadLetters: 0,
  givenUp: 0,
  erasures: 0,
  erasedLeftovers: 0,
  durationMs: 0,
});
