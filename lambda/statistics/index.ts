/**
 * The statistics feature's published entry: the projector's handler and wiring (the local stack,
 * the bench and the reliability runs drive it), and the statistics model and items that the read
 * API, audit and erasure read. Only re-exports: importing it runs nothing.
 */

export { DynamoProjectionStore } from './adapters/stats-store.ts';
export { activityFromStreamRecord } from './adapters/stream-records.ts';
export type { ProjectionStore } from './application/ports.ts';
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
export { createStatsHandler } from './handler.ts';
export { type StatsDependencies, statisticsDependencies } from './wiring.ts';
