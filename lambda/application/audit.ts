import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  countersOf,
  MARKER_PREFIX,
  STATS_SK,
  slotItem,
  slotOf,
  statsItem,
  storedStatsOf,
} from '../adapters/stats-store.ts';
import { statsActivityOfItem, userPartition } from '../adapters/user-items.ts';
import { duplicateActivities } from '../domain/audit-sweep.ts';
import { IntegrationError } from '../domain/errors.ts';
import type { StoredStats } from '../domain/projection.ts';
import {
  addCounters,
  type Counters,
  countingSlots,
  effectOf,
  type ProfileStats,
  profileStats,
  type Slot,
  sameCounters,
  statsOf,
  ZERO,
} from '../domain/stats.ts';
import { transactWrite } from './audit-writes.ts';

/** Where audit reads and repairs. */
export interface AuditOptions {
  readonly client: DynamoDBDocumentClient;
  readonly activityTable: string;
  readonly statsTable: string;
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

/** Repair kept losing races with the projector for one user. */
export class RepairConflictError extends IntegrationError {}

const STAT_FIELDS = [
  'matchesPlayed',
  'matchesWon',
  'matchesLost',
  'matchesDrawn',
  'tournamentsPlayed',
  'tournamentsWon',
  'activityCount',
  'lastActivityAt',
] as const;

interface UserState {
  readonly statsItem: Record<string, unknown> | undefined;
  readonly stored: StoredStats | undefined;
  readonly slots: Map<string, Slot>;
  readonly expectedSlots: Map<string, Slot>;
  readonly audit: Omit<UserAudit, 'repaired'>;
  readonly duplicates: number;
}

async function inspect(options: AuditOptions, userId: string): Promise<UserState> {
  const [activityItems, statsItems] = await Promise.all([
    userPartition(options.client, options.activityTable, userId),
    userPartition(options.client, options.statsTable, userId),
  ]);
  const activities = activityItems.map(statsActivityOfItem);
  const markers = new Set<string>();
  const slots = new Map<string, Slot>();
  let statsRow: Record<string, unknown> | undefined;
  for (const item of statsItems) {
    const sk = String(item.sk);
    if (sk === STATS_SK) statsRow = item;
    else if (sk.startsWith(MARKER_PREFIX)) markers.add(sk.slice(MARKER_PREFIX.length));
    else slots.set(sk, slotOf(item));
  }
  const applied = activities.filter((a) => markers.has(a.idempotencyKey));
  const expected = statsOf(userId, applied);
  const stored = statsRow ? storedStatsOf(statsRow) : undefined;
  const storedStats = profileStats(
    userId,
    stored?.counters ?? ZERO,
    stored?.activityCount ?? 0,
    stored?.lastActivityAt ?? null,
  );
  const storedView = {
    ...storedStats,
    matchesPlayed: Number(statsRow?.matchesPlayed ?? storedStats.matchesPlayed),
  };
  const expectedSlots = countingSlots(applied.map(effectOf));
  const slotNames = new Set([...slots.keys(), ...expectedSlots.keys()]);
  const driftedSlots = [...slotNames].filter((name) => {
    const [have, want] = [slots.get(name), expectedSlots.get(name)];
    return !have || !want || have.rank !== want.rank || !sameCounters(have.counters, want.counters);
  });
  return {
    duplicates: duplicateActivities(
      activityItems.map((item) => ({
        idempotencyKey: String(item.idempotencyKey),
        payloadHash: String(item.payloadHash),
        detailType: String(item.detailType),
      })),
    ),
    statsItem: statsRow,
    stored,
    slots,
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
async function repairUser(options: AuditOptions, state: UserState): Promise<'repaired' | 'conflict'> {
  const { userId } = state.audit;
  const names = state.audit.driftedSlots;
  let version = state.stored?.version;
  let counters: Counters = state.stored?.counters ?? ZERO;
  const CHUNK = 98;
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
          counters: countersOf(state.audit.expected as unknown as Record<string, unknown>),
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
    const now = new Date();
    const outcome = await transactWrite(options.client, options.statsTable, {
      userId,
      slotWrites: slotWrites.map(({ name, have, want }) => ({
        sk: name,
        item: want ? slotItem(userId, want, now) : undefined,
        expectedRank: have?.rank,
      })),
      stats: statsItem(userId, target, now),
      expectedVersion: version,
    });
    if (outcome === 'conflict') return 'conflict';
    version = target.version;
  }
  return 'repaired';
}

async function* usersOf(options: AuditOptions, progress: { itemsScanned: number }): AsyncGenerator<string> {
  if (options.userId !== undefined) {
    yield options.userId;
    return;
  }
  const seen = new Set<string>();
  // Users with activities, then users with statistics but no activity left (also drift).
  for (const table of [options.activityTable, options.statsTable]) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await options.client.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: '#u',
          ExpressionAttributeNames: { '#u': 'userId' },
          ExclusiveStartKey,
        }),
      );
      progress.itemsScanned += page.Items?.length ?? 0;
      for (const item of page.Items ?? []) {
        const userId = String(item.userId);
        if (seen.has(userId)) continue;
        seen.add(userId);
        yield userId;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}

/**
 * Compares stored statistics with the reference definition for one user or all users and, with
 * `repair`, rewrites what drifted. Activities the projector has not applied yet are reported as
 * pending, not as drift: repair never counts them, so the projector can still apply them once.
 */
export async function auditStatistics(options: AuditOptions): Promise<AuditReport> {
  const progress = { itemsScanned: 0 };
  let approximateItems: number | undefined;
  if (options.userId === undefined) {
    const described = await Promise.all(
      [options.activityTable, options.statsTable].map((TableName) =>
        options.client.send(new DescribeTableCommand({ TableName })).then((d) => d.Table?.ItemCount ?? 0),
      ),
    );
    approximateItems = described.reduce((a, b) => a + b, 0);
  }
  let usersChecked = 0;
  let repaired = 0;
  let usersWithPending = 0;
  let duplicates = 0;
  const drifted: UserAudit[] = [];
  for await (const userId of usersOf(options, progress)) {
    let state = await inspect(options, userId);
    duplicates += state.duplicates;
    let fixed = false;
    const isDrifted = (s: UserState) => s.audit.driftedFields.length > 0 || s.audit.driftedSlots.length > 0;
    if (isDrifted(state)) {
      const found = state.audit;
      if (options.repair) {
        for (let attempt = 1; isDrifted(state); attempt += 1) {
          if ((await repairUser(options, state)) === 'repaired') {
            fixed = true;
            break;
          }
          if (attempt >= 5)
            throw new RepairConflictError(
              `statistics of user ${userId} kept changing during repair; run the repair again`,
            );
          state = await inspect(options, userId);
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
