import { sleep as realSleep } from '../../shared/backoff.ts';
import { usersNamedBy } from '../../shared/contract/dead-letter.ts';
import type { RemovedCounts } from '../../shared/erased-users.ts';
import { NO_REMOVALS } from '../../shared/erased-users.ts';
import { statsItemKind } from '../../statistics/index.ts';
import type { ErasureRecord, ErasureStore, KeyPage } from './ports.ts';

/** Options of {@link eraseUser}. */
export interface EraseOptions {
  /** Items read and deleted per request. @default 25 (one BatchWriteItem) */
  readonly batchSize?: number;
  /**
   * Milliseconds between writing the erasure record and deleting: the longest time a recording or
   * statistics function can still write with a set that predates the record.
   */
  readonly settleMs: number;
  /** Told after every batch (and while waiting) with the totals so far. */
  readonly onProgress?: (progress: EraseProgress) => void;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Where an erasure stands. */
export interface EraseProgress {
  readonly phase: 'waiting' | 'activities' | 'statistics' | 'dead letters' | 'done';
  readonly removed: RemovedCounts;
  /** While waiting: milliseconds left. */
  readonly waitMs?: number;
}

/** What an erasure did, over every run that worked on it. */
export interface EraseReport {
  readonly userId: string;
  /** True when this run found a half-done erasure and finished it. */
  readonly resumed: boolean;
  readonly erasedAt: string;
  readonly removed: RemovedCounts;
  /** Dead letters naming this user and others: kept, for their other users. */
  readonly keptDeadLetters: readonly string[];
}

const DEFAULT_BATCH = 25;

async function drain<K>(
  read: (start?: Record<string, unknown>) => Promise<KeyPage<K>>,
  handle: (keys: readonly K[]) => Promise<void>,
): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await read(start);
    if (page.keys.length > 0) await handle(page.keys);
    start = page.next;
  } while (start);
}

/**
 * Erases one user: writes the erasure record first (from then on nothing new is recorded or
 * projected for them, once every cache has seen it), waits out that delay, then deletes their
 * activities (the feed index with them), statistics, slots, markers and the dead letters that
 * name only them, in bounded batches. Running it again resumes a half-done erasure: the record
 * holds the state and the totals, and every delete is idempotent.
 */
export async function eraseUser(
  store: ErasureStore,
  userId: string,
  options: EraseOptions,
): Promise<EraseReport> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const limit = options.batchSize ?? DEFAULT_BATCH;
  const existing = await store.record(userId);
  const resumed = existing !== undefined;
  let record: ErasureRecord = existing ?? (await store.begin(userId, now()));
  const removed: RemovedCounts = { ...NO_REMOVALS, ...record.removed };
  const kept = new Set(record.keptDeadLetters);
  const tell = (phase: EraseProgress['phase'], waitMs?: number) =>
    options.onProgress?.({ phase, removed: { ...removed }, ...(waitMs === undefined ? {} : { waitMs }) });
  const save = async (state: ErasureRecord['state'] = 'erasing') => {
    record = { ...record, state, removed: { ...removed }, keptDeadLetters: [...kept] };
    await store.progress(record);
  };

  await waitUntil(Date.parse(record.erasedAt) + options.settleMs, now, sleep, (left) =>
    tell('waiting', left),
  );

  await drain(
    (start) => store.activityKeys(userId, limit, start),
    async (keys) => {
      await store.deleteActivities(userId, keys);
      removed.activities += keys.length;
      await save();
      tell('activities');
    },
  );
  await drain(
    (start) => store.statsKeys(userId, limit, start),
    async (sks) => {
      await store.deleteStatsItems(userId, sks);
      for (const sk of sks) {
        const kind = statsItemKind(sk);
        if (kind !== 'record') removed[kind] += 1;
      }
      await save();
      tell('statistics');
    },
  );
  await drain(
    (start) => store.deadLetters(limit, start),
    async (letters) => {
      const only: string[] = [];
      for (const letter of letters) {
        const named = usersNamedBy(safeParse(letter.event));
        if (!named.has(userId)) continue;
        if (named.size === 1) only.push(letter.deadLetterId);
        else kept.add(letter.deadLetterId);
      }
      if (only.length === 0) return;
      await store.deleteDeadLetters(only);
      removed.deadLetters += only.length;
      await save();
      tell('dead letters');
    },
  );
  await save('erased');
  tell('done');
  return { userId, resumed, erasedAt: record.erasedAt, removed, keptDeadLetters: [...kept] };
}

/** Sleeps until `deadlineMs` by the given clock, telling how long is left every few seconds. */
async function waitUntil(
  deadlineMs: number,
  now: () => Date,
  sleep: (ms: number) => Promise<void>,
  tell: (leftMs: number) => void,
): Promise<void> {
  for (;;) {
    const left = deadlineMs - now().getTime();
    if (left <= 0) return;
    tell(left);
    await sleep(Math.min(left, 5000));
  }
}

/** Options of {@link liftErasure}. */
export type LiftOptions = Pick<EraseOptions, 'settleMs' | 'now' | 'sleep'> & {
  /** Told while waiting, with the milliseconds left. */
  readonly onWaiting?: (leftMs: number) => void;
};

/**
 * Lifts a mistaken erasure: removes the record and logs the undo, then waits until every
 * function's cached set has dropped the user (the same bound the erasure waits), so an event
 * published or replayed once this returns is recorded. False when there was no record.
 */
export async function liftErasure(
  store: ErasureStore,
  userId: string,
  options: LiftOptions,
): Promise<boolean> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const at = now();
  if (!(await store.undo(userId, at))) return false;
  await waitUntil(at.getTime() + options.settleMs, now, sleep, (left) => options.onWaiting?.(left));
  return true;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
