import { ErasureLogUnavailableError } from '../../shared/errors.ts';
import { applyErasureLog } from '../domain/erasure.ts';
import type { ErasedUsers, ErasureLogReader } from './ports.ts';

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

/** No erasures: for callers that have none to apply (tests of unrelated behaviour). */
export const NO_ERASURES: ErasedUsers = { current: async () => new Set<string>() };
