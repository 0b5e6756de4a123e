/**
 * Erasure: the rules, free of storage. A user's erasure is written as an entry in an append-only
 * log (one partition of the statistics table) and as a record in the user's own statistics
 * partition. Every function that writes for users folds the log into a set, cached like the flag,
 * so no event pays a read to learn whether its users are erased.
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

/** The kind of a statistics-table item by its sort key. */
export function statsItemKind(sk: string): 'statistics' | 'slots' | 'markers' | 'record' {
  if (sk === ERASURE_RECORD_SK) return 'record';
  if (sk.startsWith('APPLIED#')) return 'markers';
  if (sk.startsWith('MATCH#') || sk.startsWith('TOURNAMENT#')) return 'slots';
  return 'statistics';
}

const SINGLE_USER_FIELDS = ['submittedByUserId', 'openedByUserId'] as const;
const USER_LIST_FIELDS = ['userIds', 'participantUserIds', 'winnerUserIds'] as const;

/**
 * Every user id a stored event names, as strings (ids may arrive as numbers). Dead letters hold
 * events that broke the contract, so anything of an unexpected shape is ignored here.
 */
export function usersNamedBy(event: unknown): Set<string> {
  const named = new Set<string>();
  const detail = (event as { detail?: unknown } | null)?.detail;
  if (typeof detail !== 'object' || detail === null) return named;
  const fields = detail as Record<string, unknown>;
  const add = (value: unknown) => {
    if (typeof value === 'string' || typeof value === 'number') named.add(String(value));
  };
  for (const field of SINGLE_USER_FIELDS) add(fields[field]);
  for (const field of USER_LIST_FIELDS) {
    const list = fields[field];
    if (Array.isArray(list)) for (const value of list) add(value);
  }
  return named;
}
