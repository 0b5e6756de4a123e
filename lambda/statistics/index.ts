/**
 * The statistics feature's published entry: the statistics model and the items of a user's
 * statistics partition, which the read API, audit and erasure read. Side-effect free (no logger,
 * no client is created by anything it reaches), so a bundle keeps only what it calls; the handler
 * and its wiring are imported by path where they are run (the local stack, the bench, the tests).
 */
export type { StoredStats } from './domain/projection.ts';
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
  countersOf,
  readStatsPartition,
  STATS_SK,
  slotItem,
  statsItem,
  statsItemKind,
  storedStatsOf,
} from './domain/stats-items.ts';
