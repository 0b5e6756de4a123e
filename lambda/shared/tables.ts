/**
 * The tables, declared once. The CDK stack and the local stack (and the tests) both build their
 * tables from these declarations, so the key design cannot drift between them.
 */

/** A key attribute. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/** A table's shape, free of CDK and SDK types. */
export interface TableDefinition {
  /** Logical id in CDK and the suffix of local table names. */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /**
   * Local secondary indexes (same partition key, other sort key), each projecting the keys plus the
   * attributes its readers read (`projected`), so an item is copied into the index only in part.
   */
  readonly localIndexes?: readonly {
    readonly indexName: string;
    readonly sortKey: KeyAttribute;
    readonly projected: readonly string[];
  }[];
  /** Stream view, when the table has a stream. */
  readonly stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
}

/**
 * What the feed reads of an activity besides the keys. `payload` only exists on items written before
 * activities were slimmed (see docs/contract.md, "Activity items"): listed so such items still show
 * in the feed; current items do not have it, so it costs them nothing.
 */
export const FEED_ATTRIBUTES = [
  'activityType',
  'detailType',
  'tournamentId',
  'occurredAt',
  'recordedAt',
  'role',
  'fields',
  'payload',
] as const;

/**
 * Name of the feed index on the activity table. A literal of its own (not read from the declaration
 * below), so a bundle that needs only a table name does not carry the table declarations.
 */
export const FEED_INDEX = 'byOccurredAt';

/**
 * One item per (user, idempotency key): the conditional put on this primary key is what makes
 * recording idempotent, and `GetItem(userId, idempotencyKey)` looks one activity up directly.
 * The `byOccurredAt` index serves a user's feed newest-first (`{occurredAt}#{key}` sorts by time,
 * then key); an LSI keeps it in the same partition and allows strongly consistent feed reads. It
 * projects only what the feed reads (not the hash or the event id), and an LSI's projection is
 * fixed when the table is created.
 * The stream (new images) feeds the statistics projector.
 */
export const ACTIVITY_TABLE = {
  id: 'Activities',
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'idempotencyKey', type: 'S' },
  localIndexes: [
    { indexName: FEED_INDEX, sortKey: { name: 'feedKey', type: 'S' }, projected: FEED_ATTRIBUTES },
  ],
  stream: 'NEW_IMAGE',
} as const satisfies TableDefinition;

/**
 * Per-user statistics and the state that makes them exactly-once, all in the user's partition:
 * `sk = STATS` (the counters), `MATCH#{matchId}` and `TOURNAMENT#{tournamentId}` (the outcome that
 * counts now, for latest-wins), and `APPLIED#{idempotencyKey}` markers (an activity's effect was
 * applied). Markers are kept: audit and repair use them to tell applied activities from pending ones.
 */
export const STATS_TABLE = {
  id: 'ProfileStats',
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
} as const satisfies TableDefinition;

/**
 * Events that were rejected or could not be delivered, with the reason and the whole original
 * event, so an operator can list them and send them again. The id is derived from the event's
 * content, so the same bad event stored twice is one dead letter.
 */
export const DEAD_LETTER_TABLE = {
  id: 'DeadLetters',
  partitionKey: { name: 'deadLetterId', type: 'S' },
} as const satisfies TableDefinition;

/** Physical names of the integration's tables in one environment (a stage, the local stack, a test). */
export interface TableNames {
  readonly activities: string;
  readonly stats: string;
  readonly deadLetters: string;
}

/** The environment variables through which the stack gives a function each table's name. */
export const TABLE_NAME_VARIABLES = {
  activities: 'ACTIVITY_TABLE_NAME',
  stats: 'STATS_TABLE_NAME',
  deadLetters: 'DEAD_LETTER_TABLE_NAME',
} as const satisfies Record<keyof TableNames, string>;

/** Table names with a common prefix (a local stage, or one test file's own tables). */
export function tableNames(prefix: string): TableNames {
  return {
    activities: `${prefix}${ACTIVITY_TABLE.id}`,
    stats: `${prefix}${STATS_TABLE.id}`,
    deadLetters: `${prefix}${DEAD_LETTER_TABLE.id}`,
  };
}
