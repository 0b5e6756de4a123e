import {
  type ProfileStats,
  profileStats,
  type ScopeState,
  type ScopeStatistics,
  type Slot,
  type StatsActivity,
  type StoredSequence,
  type StoredStats,
  scopeStatistics,
  statsOf,
  ZERO,
} from '../../statistics/index.ts';
import { type ActivityIdentity, duplicateActivities } from '../domain/duplicates.ts';
import { RepairConflictError } from '../errors.ts';
import {
  driftedFields,
  driftedSequences,
  type ExpectedPartition,
  expectedPartition,
  sameSlot,
} from './audit-compare.ts';
import { type RepairWrite, repairTransactions } from './audit-repair.ts';

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
  /** The summary items (overall and per game) as stored, by scope. */
  readonly scopes: ReadonlyMap<string, ScopeState>;
  /** The contract's fields exactly as each summary item stores them, by scope. */
  readonly views: ReadonlyMap<string, ScopeStatistics>;
  /** The sequence items as stored, by scope. */
  readonly sequences: ReadonlyMap<string, StoredSequence>;
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
  readonly user: AuditedUser;
  readonly expected: ExpectedPartition;
  readonly driftedSlots: readonly string[];
  readonly driftedSequences: readonly string[];
  readonly audit: Omit<UserAudit, 'repaired'>;
  readonly duplicates: number;
}

/** The overall statistics a user's items store, with their stored `matchesPlayed`. */
function storedOverall(userId: string, user: AuditedUser): ProfileStats {
  const { stats } = user;
  const view = profileStats(
    userId,
    stats?.counters ?? ZERO,
    stats?.activityCount ?? 0,
    stats?.lastActivityAt ?? null,
  );
  return { ...view, matchesPlayed: user.storedMatchesPlayed ?? view.matchesPlayed };
}

/**
 * One user's audit: the stored summary items, slots and sequences against what the applied
 * activities define (the contract's statistics overall and per game, streaks and recent form
 * included). Slots and sequences that differ are reported by name (`sequence:{scope}` for a
 * scope's sequence), fields by name (`GAME#{gameId}.{field}` for a game's).
 */
async function inspect(store: AuditStore, userId: string): Promise<UserState> {
  const user = await store.readUser(userId);
  const applied = user.activities.filter((a) => user.applied.has(a.idempotencyKey));
  const expected = expectedPartition(applied);
  const slotNames = new Set([...user.slots.keys(), ...expected.slots.keys()]);
  const slots = [...slotNames].filter((name) => !sameSlot(user.slots.get(name), expected.slots.get(name)));
  const sequences = driftedSequences(user, expected);
  const want = new Map([...expected.scopes].map(([scope, state]) => [scope, scopeStatistics(state)]));
  return {
    duplicates: duplicateActivities(user.recorded),
    user,
    expected,
    driftedSlots: slots,
    driftedSequences: sequences,
    audit: {
      userId,
      stored: storedOverall(userId, user),
      expected: statsOf(userId, applied),
      expectedWhenCaughtUp: statsOf(userId, user.activities),
      pending: user.activities.length - applied.length,
      driftedFields: driftedFields(user.views, want),
      driftedSlots: [...slots, ...sequences.map((scope) => `sequence:${scope}`)],
    },
  };
}

/**
 * Rewrites one user's slots, sequences and summary items to what the applied activities say, in
 * the order `repairTransactions` gives. Every write is conditioned on the state read (versions,
 * slot ranks, sequence items), so a projector write in between makes it start over instead of
 * losing either update; the partition stays consistent for the projector after each transaction.
 */
async function repairUser(store: AuditStore, state: UserState): Promise<'repaired' | 'conflict'> {
  const transactions = repairTransactions({
    userId: state.audit.userId,
    stored: state.user,
    expected: state.expected,
    driftedSlots: state.driftedSlots,
    driftedSequences: state.driftedSequences,
  });
  for (const write of transactions) if ((await store.writeRepair(write)) === 'conflict') return 'conflict';
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
