import type { ErasureState, RemovedCounts } from '../../shared/erased-users.ts';

/** A user's erasure record: their id, when the erasure began, how far it got. */
export interface ErasureRecord {
  readonly userId: string;
  readonly state: ErasureState;
  /** When the record and its log entry were written (ISO instant). */
  readonly erasedAt: string;
  /** Items removed so far, over every run. */
  readonly removed: RemovedCounts;
  /** Dead letters kept because they name other users too. */
  readonly keptDeadLetters: readonly string[];
}

/** One page of keys to delete. */
export interface KeyPage<K> {
  readonly keys: readonly K[];
  readonly next?: Record<string, unknown> | undefined;
}

/** A dead letter as the erasure sees it. */
export interface StoredDeadLetter {
  readonly deadLetterId: string;
  readonly event: string;
}

/** What an erasure needs from storage. */
export interface ErasureStore {
  record(userId: string): Promise<ErasureRecord | undefined>;
  /** Writes the record (state `erasing`) and its log entry atomically; an existing record wins. */
  begin(userId: string, at: Date): Promise<ErasureRecord>;
  /** Saves progress: totals so far, the kept dead letters and the state. */
  progress(record: ErasureRecord): Promise<void>;
  /** Removes the record and logs an undo entry, atomically; false when there was no record. */
  undo(userId: string, at: Date): Promise<boolean>;
  activityKeys(userId: string, limit: number, start?: Record<string, unknown>): Promise<KeyPage<string>>;
  deleteActivities(userId: string, idempotencyKeys: readonly string[]): Promise<void>;
  /** Sort keys of the user's statistics partition, the erasure record left out. */
  statsKeys(userId: string, limit: number, start?: Record<string, unknown>): Promise<KeyPage<string>>;
  deleteStatsItems(userId: string, sks: readonly string[]): Promise<void>;
  deadLetters(limit: number, start?: Record<string, unknown>): Promise<KeyPage<StoredDeadLetter>>;
  deleteDeadLetters(ids: readonly string[]): Promise<void>;
}

/** Where `DELETE /users/{userId}` hands an erasure to the worker that runs it. */
export interface ErasureRequests {
  /** The user's erasure record, if one was written. */
  record(userId: string): Promise<ErasureRecord | undefined>;
  /**
   * Has the erasure run (or resumed) in the background. At least once: running it again is
   * harmless, a repeat resumes or finds it done.
   */
  request(userId: string): Promise<void>;
}
