import { ErasureLogUnavailableError } from './errors.ts';

/**
 * Who is erased, as every function that writes or reads for users must know it. A user's erasure
 * is written as an entry in an append-only log (one partition of the statistics table) and as a
 * record in the user's own statistics partition (lambda/erasure writes both). Every function that
 * writes for users, and the read API, folds the log into a set cached per container, so no event
 * pays a read to learn whether its users are erased. Pure but for the cache's clock; the DynamoDB
 * reader of the log is lambda/shared/aws/erasure-log.ts.
 */

/**
 * Partition key of the erasure log. Ids never contain `#` (the contract forbids it), so this
 * partition can never be a user's.
 */
export const ERASURE_LOG_PARTITION = '#erasures';

/** Sort key of a user's erasure record, in that user's statistics partition. */
export const ERASURE_RECORD_SK = 'ERASURE';

/** What a log entry says about a user. */
export type ErasureAction = 'erase' | 'undo';

/** One entry of the erasure log; `sk` orders entries by the time they were written. */
export interface ErasureLogEntry {
  readonly sk: string;
  readonly userId: string;
  readonly action: ErasureAction;
}

/** The sort key of a log entry: `{ISO instant}#{userId}#{action}`, so entries sort by time. */
export function erasureLogSk(at: Date, userId: string, action: ErasureAction): string {
  return `${at.toISOString()}#${userId}#${action}`;
}

/**
 * Applies log entries, oldest first, to a set of erased users. Applying the same entries again in
 * order gives the same set, so a reader may read an overlapping window twice.
 */
export function applyErasureLog(erased: Set<string>, entries: readonly ErasureLogEntry[]): void {
  for (const entry of [...entries].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))) {
    if (entry.action === 'erase') erased.add(entry.userId);
    else erased.delete(entry.userId);
  }
}

/** Progress of one user's erasure, kept in the erasure record (no personal data beyond the id). */
export type ErasureState = 'erasing' | 'erased';

/** Kinds of item an erasure removes, as reported. */
export const ERASED_KINDS = ['activities', 'statistics', 'slots', 'markers', 'deadLetters'] as const;

/** Items removed, by kind. */
export type RemovedCounts = Record<(typeof ERASED_KINDS)[number], number>;

/** Nothing removed yet. */
export const NO_REMOVALS: RemovedCounts = {
  activities: 0,
  statistics: 0,
  slots: 0,
  markers: 0,
  deadLetters: 0,
};

/** Reads the erasure log. */
export interface ErasureLogReader {
  /** Entries with a sort key greater than `afterSk` (all entries when undefined), oldest first. */
  entriesAfter(afterSk: string | undefined): Promise<ErasureLogEntry[]>;
}

/** The set of erased users, as recent as the implementation's cache allows. */
export interface ErasedUsers {
  current(): Promise<ReadonlySet<string>>;
}

/**
 * Default seconds a function uses its set of erased users before it asks the log again: the bound
 * an erasure waits out (with the functions' longest invocation) before it deletes.
 */
export const DEFAULT_ERASURE_CACHE_SECONDS = 15;

/**
 * How far back each refresh reads again. Entries are ordered by their writer's clock; reading the
 * last five minutes again covers operators' clocks that differ by up to that much.
 */
export const ERASURE_LOG_OVERLAP_MS = 5 * 60_000;

/** Options of {@link CachedErasedUsers}. */
export interface CachedErasedUsersOptions {
  /** Seconds a set is used before the log is asked for new entries. @default 15 */
  readonly cacheSeconds: number;
  /** Told when the log could not be read and the last known set is used. */
  readonly onStale?: (error: unknown) => void;
  readonly now?: () => number;
}

/**
 * The erased users, cached per container like the flag. The first call reads the whole log; after
 * that, one query per cache period reads only the entries of the last few minutes. No event pays
 * a read of its own: the cost is one small query per container per period, whatever the traffic.
 */
export class CachedErasedUsers implements ErasedUsers {
  private readonly erased = new Set<string>();
  private loaded = false;
  /** Sort key the next refresh reads after; undefined until the whole log was read once. */
  private after: string | undefined;
  private freshUntil = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly log: ErasureLogReader,
    private readonly options: CachedErasedUsersOptions,
  ) {}

  async current(): Promise<ReadonlySet<string>> {
    const now = this.options.now ?? Date.now;
    if (this.loaded && now() < this.freshUntil) return this.erased;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
    return this.erased;
  }

  private async refresh(): Promise<void> {
    const now = this.options.now ?? Date.now;
    const periodMs = this.options.cacheSeconds * 1000;
    const startedAt = now();
    try {
      const entries = await this.log.entriesAfter(this.after);
      applyErasureLog(this.erased, entries);
      // Next time, only what was written since this read began (by this clock, minus the overlap):
      // a refresh costs the entries of the last few minutes, however long the log is.
      this.after = new Date(startedAt - ERASURE_LOG_OVERLAP_MS).toISOString();
      this.loaded = true;
      // Fresh for one period from when the read began, not from when it answered: a slow read must
      // not stretch how old a set can be (an erasure waits on that bound).
      this.freshUntil = startedAt + periodMs;
    } catch (error) {
      if (!this.loaded)
        throw new ErasureLogUnavailableError(
          'cannot read the erasure log and no earlier copy is known; the event will be retried. ' +
            'Check that the function may query the statistics table (partition #erasures).',
          { cause: error },
        );
      this.freshUntil = now() + periodMs;
      this.options.onStale?.(error);
    }
  }
}
