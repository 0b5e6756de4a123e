import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { STATS_SK, storedStatsOf } from '../adapters/stats-store.ts';
import type { Role } from '../domain/activity.ts';
import { readActivityItem } from '../domain/activity-item.ts';
import { eventTypeOf, fieldsOf } from '../domain/event-types.ts';
import { type ProfileStats, profileStats, winRate, ZERO } from '../domain/stats.ts';
import { FEED_INDEX } from '../tables.ts';

/** A user's statistics with the derived win rate (matches won / matches played, 0 with none). */
export interface ProfileView extends ProfileStats {
  readonly winRate: number;
}

/** One activity in a user's feed. */
export interface FeedEntry {
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly activityType: string;
  readonly detailType: string;
  readonly tournamentId: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** The user's own role: winner, loser, draw or participant. */
  readonly role: Role;
  /**
   * The detail's small fields (entity ids, status words, flags); user lists and extra fields stay
   * in the bus archive. Items of the previous shape are read through the same reduction.
   */
  readonly detail: Record<string, unknown>;
}

const contractFieldsOf = (detailType: string) => {
  const definition = eventTypeOf(detailType);
  return definition ? fieldsOf(definition) : undefined;
};

/** A page of a feed; pass `nextCursor` back to read the next one. */
export interface FeedPage {
  readonly items: readonly FeedEntry[];
  readonly nextCursor?: string | undefined;
}

/** Where the reader finds its tables. */
export interface ProfileReaderTables {
  readonly activityTable: string;
  readonly statsTable: string;
}

/** A feed cursor that was not produced by this reader (or was altered). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string, userId: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key?.userId !== userId || typeof key.feedKey !== 'string' || typeof key.idempotencyKey !== 'string')
      throw new Error();
    return key;
  } catch (cause) {
    throw new InvalidCursorError(
      'the cursor is not one returned by a feed of this user: start again without it',
      { cause },
    );
  }
}

/** Reads what profile consumers need: a user's statistics and feed. */
export class ProfileReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: ProfileReaderTables,
  ) {}

  /** A user's statistics; an unknown user has zeros and `lastActivityAt: null`. */
  async stats(userId: string): Promise<ProfileView> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.statsTable, Key: { userId, sk: STATS_SK } }),
    );
    const stored = Item ? storedStatsOf(Item) : { counters: ZERO, activityCount: 0, lastActivityAt: null };
    const stats = profileStats(userId, stored.counters, stored.activityCount, stored.lastActivityAt);
    return { ...stats, winRate: winRate(stats) };
  }

  /** A user's activities, newest first (by `occurredAt`, then key), `limit` at a time. */
  async feed(
    userId: string,
    options: { limit?: number; cursor?: string | undefined } = {},
  ): Promise<FeedPage> {
    const limit = Math.max(1, Math.min(options.limit ?? 20, 1000));
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tables.activityTable,
        IndexName: FEED_INDEX,
        KeyConditionExpression: '#userId = :userId',
        ExpressionAttributeNames: { '#userId': 'userId' },
        ExpressionAttributeValues: { ':userId': userId },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, userId) : undefined,
      }),
    );
    const items = (page.Items ?? []).map((item): FeedEntry => {
      const { fields, ...activity } = readActivityItem(item, contractFieldsOf);
      return { ...activity, detail: { ...fields } };
    });
    return { items, nextCursor: page.LastEvaluatedKey ? encodeCursor(page.LastEvaluatedKey) : undefined };
  }
}
