import { MAX_TRANSACTION_ITEMS } from '../../shared/contract/limits.ts';
import type { StoredStats } from '../../statistics/index.ts';
import {
  addCounters,
  type Counters,
  countersOf,
  countingSlots,
  effectOf,
  type ProfileStats,
  profileStats,
  type Slot,
  STAT_FIELDS,
  type StatsActivity,
  sameCounters,
  statsOf,
  ZERO,
} from '../../statistics/index.ts';
import { type ActivityIdentity, duplicateActivities } from '../domain/duplicates.ts';
import { RepairConflictError } from '../errors.ts';

/** What audit reads of one user: the activities and the projector's state, decoded. */
export interface AuditedUser {
  /** Every activity recorded for the user, in either item shape. */
  readonly activities: readonly StatsActivity[];
  /** What duplicate detection compares of each activity item. */
  readonly recorded: readonly ActivityIdentity[];
  /** Idempotency keys of the activities the projector applied. */
  readonly applied: ReadonlySet<string>;
  /** Latest-wins slots as stored, by name. */
  readonly slots: ReadonlyMap<string, Slot>;
  /** The statistics item, when there is one. */
  readonly stats: StoredStats | undefined;
  /** `matchesPlayed` as the item stores it (a stored sum can drift from its parts). */
  readonly storedMatchesPlayed: number | undefined;
}

/** One repair write: slots to put or delete and the statistics, each conditioned on the state read. */
export interface RepairWrite {
  readonly userId: string;
  readonly slotWrites: readonly {
    readonly name: string;
    /** The slot to write, or `undefined` to delete a slot no applied activity supports. */
    readonly slot: Slot | undefined;
    /** The rank the slot must still have; `undefined`: it must not exist. */
    readonly expectedRank: string | undefined;
  }[];
  readonly stats: StoredStats;
  /** The version the statistics must still have; `undefined`: no statistics item yet. */
  readonly expectedVersion: number | undefined;
}

/** Where audit reads and repairs (the DynamoDB tables in lambda/audit/adapters/audit-store.ts). */
export interface AuditStore {
  /** One user's activities and statistics, strongly consistent. */
  readUser(userId: string): Promise<AuditedUser>;
  /** Users with activities, then users with statistics but no activity left; counts what it scans. */
  users(progress: { itemsScanned: number }): AsyncIterable<string>;
  /** The stores' estimate of their size, for progress. */
  approximateItems(): Promise<number>;
  /** Writes a repair at once; `conflict` when the state moved on since it was read. */
  writeRepair(write: RepairWrite): Promise<'committed' | 'conflict'>;
}

/** What to audit. */
export interface AuditOptions {
  /** Audit one user only; all users (a paginated scan) when omitted. */
  readonly userId?: string | undefined;
  /** Rewrite drifted statistics (safe while the projector runs). */
  readonly repair?: boolean;
  /** Progress after each user. `approximateItems` is DynamoDB's estimate of the table size. */
  readonly onProgress?: (progress: AuditProgress) => void;
}

/** How far an audit got. */
export interface AuditProgress {
  readonly usersChecked: number;
  readonly itemsScanned: number;
  readonly approximateItems: number | undefined;
  readonly drifted: number;
}

/** One user's audit. */
export interface UserAudit {
  readonly userId: string;
  /** What the statistics item says. */
  readonly stored: ProfileStats;
  /** The reference definition over the user's activities whose effect the projector applied. */
  readonly expected: ProfileStats;
  /** The reference definition over all the user's activities (equal to `expected` once caught up). */
  readonly expectedWhenCaughtUp: ProfileStats;
  /** Activities not applied yet (the projector is behind, or their records failed). */
  readonly pending: number;
  /** Statistics fields that differ from `expected`. */
  readonly driftedFields: readonly string[];
  /** Latest-wins slots that differ from what the applied activities say. */
  readonly driftedSlots: readonly string[];
  readonly repaired: boolean;
}

/** What an audit found (and fixed). */
export interface AuditReport {
  readonly usersChecked: number;
  readonly drifted: readonly UserAudit[];
  readonly repaired: number;
  readonly usersWithPending: number;
  /** Extra activity items that record an already recorded detail under another key. */
  readonly duplicates: number;
}

interface UserState {
  readonly stored: StoredStats | undefined;
  readonly slots: ReadonlyMap<string, Slot>;
  readonly expectedSlots: Map<string, Slot>;
  readonly audit: Omit<UserAudit, 'repaired'>;
  readonly duplicates: number;
}

async function inspect(store: AuditStore, userId: string): Promise<UserState> {
  const user = await store.readUser(userId);
  const { activities, stats: stored } = user;
  const applied = activities.filter((a) => user.applied.has(a.idempotencyKey));
  const expected = statsOf(userId, applied);
  const storedStats = profileStats(
    userId,
    stored?.counters ?? ZERO,
    stored?.activityCount ?? 0,
    stored?.lastActivityAt ?? null,
  );
  const storedView = {
    ...storedStats,
    matchesPlayed: user.storedMatchesPlayed ?? storedStats.matchesPlayed,
  };
  const expectedSlots = countingSlots(applied.map(effectOf));
  const slotNames = new Set([...user.slots.keys(), ...expectedSlots.keys()]);
  const driftedSlots = [...slotNames].filter((name) => {
    const [have, want] = [user.slots.get(name), expectedSlots.get(name)];
    return !have || !want || have.rank !== want.rank || !sameCounters(have.counters, want.counters);
  });
  return {
    duplicates: duplicateActivities(user.recorded),
    stored,
    slots: user.slots,
    expectedSlots,
    audit: {
      userId,
      stored: storedView,
      expected,
      expectedWhenCaughtUp: statsOf(userId, activities),
      pending: activities.length - applied.length,
      driftedFields: STAT_FIELDS.filter((field) => storedView[field] !== expected[field]),
      driftedSlots,
    },
  };
}

/**
 * Rewrites one user's slots and statistics to what the applied activities say. Every write is
 * conditioned on the state read (statistics version, slot ranks), so a projector write in between
 * makes it start over instead of losing either update. Slots are fixed in chunks that move the
 * statistics by their own difference, which keeps slots and statistics consistent after every chunk.
 */
async function repairUser(store: AuditStore, state: UserState): Promise<'repaired' | 'conflict'> {
  const { userId } = state.audit;
  const names = state.audit.driftedSlots;
  let version = state.stored?.version;
  let counters: Counters = state.stored?.counters ?? ZERO;
  // Slots per transaction, beside the statistics item (and room for one more action to spare).
  const CHUNK = MAX_TRANSACTION_ITEMS - 2;
  for (let i = 0; i === 0 || i < names.length; i += CHUNK) {
    const chunk = names.slice(i, i + CHUNK);
    const last = i + CHUNK >= names.length;
    const slotWrites = chunk.map((name) => {
      const have = state.slots.get(name);
      const want = state.expectedSlots.get(name);
      counters = addCounters(addCounters(counters, want?.counters ?? ZERO), have?.counters ?? ZERO, -1);
      return { name, have, want };
    });
    const target: StoredStats = last
      ? {
          counters: countersOf(state.audit.expected),
          activityCount: state.audit.expected.activityCount,
          lastActivityAt: state.audit.expected.lastActivityAt,
          version: (version ?? 0) + 1,
        }
      : {
          counters,
          activityCount: state.stored?.activityCount ?? 0,
          lastActivityAt: state.stored?.lastActivityAt ?? null,
          version: (version ?? 0) + 1,
        };
    const outcome = await store.writeRepair({
      userId,
      slotWrites: slotWrites.map(({ name, have, want }) => ({ name, slot: want, expectedRank: have?.rank })),
      stats: target,
      expectedVersion: version,
    });
    if (outcome === 'conflict') return 'conflict';
    version = target.version;
  }
  return 'repaired';
}

/**
 * Compares stored statistics with the reference definition for one user or all users and, with
 * `repair`, rewrites what drifted. Activities the projector has not applied yet are reported as
 * pending, not as drift: repair never counts them, so the projector can still apply them once.
 */
export async function auditUsers(store: AuditStore, options: AuditOptions = {}): Promise<AuditReport> {
  const progress = { itemsScanned: 0 };
  const approximateItems = options.userId === undefined ? await store.approximateItems() : undefined;
  let usersChecked = 0;
  let repaired = 0;
  let usersWithPending = 0;
  let duplicates = 0;
  const drifted: UserAudit[] = [];
  const users = options.userId === undefined ? store.users(progress) : [options.userId];
  for await (const userId of users) {
    let state = await inspect(store, userId);
    duplicates += state.duplicates;
    let fixed = false;
    const isDrifted = (s: UserState) => s.audit.driftedFields.length > 0 || s.audit.driftedSlots.length > 0;
    if (isDrifted(state)) {
      const found = state.audit;
      if (options.repair) {
        for (let attempt = 1; isDrifted(state); attempt += 1) {
          if ((await repairUser(store, state)) === 'repaired') {
            fixed = true;
            break;
          }
          if (attempt >= 5)
            throw new RepairConflictError(
              `statistics of user ${userId} kept changing during repair; run the repair again`,
            );
          state = await inspect(store, userId);
        }
        if (fixed) repaired += 1;
      }
      drifted.push({ ...found, repaired: fixed });
    }
    if (state.audit.pending > 0) usersWithPending += 1;
    usersChecked += 1;
    options.onProgress?.({
      usersChecked,
      itemsScanned: progress.itemsScanned,
      approximateItems,
      drifted: drifted.length,
    });
  }
  return { usersChecked, drifted, repaired, usersWithPending, duplicates };
}
