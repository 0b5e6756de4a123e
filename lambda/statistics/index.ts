/**
 * The statistics feature's published entry: the statistics model and the items of a user's
 * statistics partition, which the read API, audit and erasure read. Side-effect free (no logger,
 * no client is created by anything it reaches), so a bundle keeps only what it calls; the handler
 * and its wiring are imported by path where they are run (the local stack, the bench, the tests).
 */
export type { ItemWrite } from './domain/overlay.ts';
export { gameScope, OVERALL_SCOPE, placementsOf } from './domain/placement.ts';
export {
  type ProfileStatistics,
  profileStatsOf,
  type ScopeStatistics,
} from './domain/profile-stats.ts';
export {
  countersOf,
  GAME_PREFIX,
  gameSk,
  STATS_SK,
  scopeItem,
  scopeSk,
  scopeStatisticsOfItem,
  storedStatsOf,
} from './domain/scope-items.ts';
export {
  EMPTY_SCOPE,
  gameOfScope,
  type ScopeState,
  type StoredStats,
  scopeStatistics,
  scopesOf,
  standingOfSlot,
} from './domain/scopes.ts';
export {
  type SequenceItem,
  type SequenceMatch,
  type SequenceState,
  type SequenceSummary,
  sameItem,
  sequenceFromMatches,
} from './domain/sequence.ts';
export { sequenceChanges } from './domain/sequence-items.ts';
export {
  addCounters,
  type Counters,
  countingSlots,
  effectOf,
  type ProfileStats,
  profileStats,
  type Slot,
  STAT_FIELDS,
  type StatsActivity,
  sameCounters,
  statsOf,
  winRate,
  ZERO,
} from './domain/stats.ts';
export { statsActivityOf, statsActivityOfItem } from './domain/stats-activity.ts';
export {
  readStatsPartition,
  type StatsPartition,
  type StoredSequence,
  slotItem,
  statsItem,
  statsItemKind,
  storedProfileOf,
} from './domain/stats-items.ts';
