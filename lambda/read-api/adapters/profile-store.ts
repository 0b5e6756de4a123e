import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll, type UnprocessedRetry } from '../../shared/aws/batch.ts';
import { DynamoErasureLog } from '../../shared/aws/erasure-log.ts';
import { allItems, queryPages } from '../../shared/aws/paging.ts';
import { classifyStoreError } from '../../shared/aws/store-errors.ts';
import { readActivityItem } from '../../shared/contract/activity-item.ts';
import { CachedErasedUsers } from '../../shared/erased-users.ts';
import { FEED_INDEX, type TableNames } from '../../shared/tables.ts';
import { GAME_PREFIX } from '../../statistics/index.ts';
import { ErasureAwareProfileStore } from '../application/erasure-aware-store.ts';
import type {
  FeedPosition,
  FeedQuery,
  ProfileStore,
  ScopeStats,
  StoredFeedPage,
} from '../application/ports.ts';
import type { FeedEntry } from '../constants.ts';
import { gameIdOfSk, scopeSk, scopeStatsOf } from './scope-items.ts';

/** Where the read API finds its tables. */
export type ProfileTables = Pick<TableNames, 'activities' | 'stats'>;

/** Query rounds a filtered feed page may take before it answers with what it found and a cursor. */
const MAX_FILTERED_ROUNDS = 5;
/**
 * Rounds of `UnprocessedKeys` a batch read retries before it gives up (throttling), and the waits
 * between them: tighter than the writers', so a caller of the API hears back within about 2 s.
 */
const BATCH_READ_RETRY: UnprocessedRetry = { maxRounds: 8, backoff: { baseDelayMs: 40, maxDelayMs: 500 } };

/**
 * A feed item from its stored activity, of either item shape. Items of the previous shape show every
 * scalar field of their stored payload: telling contract fields from extra ones needs the event
 * schemas, which the read function leaves out of its bundle.
 */
export function feedEntryOf(item: Record<string, unknown>): FeedEntry {
  const { fields, ...activity } = readActivityItem(item);
  return { ...activity, detail: { ...fields } };
}

const positionOf = (item: Record<string, unknown>): FeedPosition => ({
  userId: String(item.userId),
  idempotencyKey: String(item.idempotencyKey),
  feedKey: String(item.feedKey),
});

/**
 * The read side of the tables: one eventually consistent `GetItem` per user's statistics (overall
 * or in one game), one `BatchGetItem` for up to 100 users, a `Query` of the `GAME#` items of one
 * user's statistics partition for their games (never of the whole partition, whose markers grow
 * with the history), and `Query` on the feed index.
 */
export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: ProfileTables,
  ) {}

  async stats(userId: string, gameId?: string): Promise<ScopeStats | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tables.stats, Key: { userId, sk: scopeSk(gameId) } }),
      );
      return Item ? scopeStatsOf(Item) : undefined;
    } catch (error) {
      throw classifyStoreError(error, `reading the statistics of user ${userId}`);
    }
  }

  async statsMany(userIds: readonly string[], gameId?: string): Promise<ReadonlyMap<string, ScopeStats>> {
    const keys = [...new Set(userIds)].map((userId) => ({ userId, sk: scopeSk(gameId) }));
    const items = await batchGetAll(this.client, this.tables.stats, keys, {
      action: 'reading the statistics of many users',
      retry: BATCH_READ_RETRY,
    });
    return new Map(items.map((item) => [String(item.userId), scopeStatsOf(item)]));
  }

  async games(userId: string): Promise<ReadonlyMap<string, ScopeStats>> {
    try {
      const items = await allItems(
        queryPages(this.client, {
          TableName: this.tables.stats,
          KeyConditionExpression: '#userId = :userId AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
          ExpressionAttributeValues: { ':userId': userId, ':prefix': GAME_PREFIX },
        }),
      );
      const games = new Map<string, ScopeStats>();
      for (const item of items) {
        const gameId = gameIdOfSk(item.sk);
        if (gameId !== undefined) games.set(gameId, scopeStatsOf(item));
      }
      return games;
    } catch (error) {
      throw classifyStoreError(error, `reading the games of user ${userId}`);
    }
  }

  /**
   * One item more than the page is read: the page has a next one only when it exists, so the last
   * page carries no cursor, even when it is full.
   */
  async feed(userId: string, query: FeedQuery): Promise<StoredFeedPage> {
    const items: Record<string, unknown>[] = [];
    const wanted = query.limit + 1;
    let start: Record<string, unknown> | undefined = query.after;
    const rounds = query.detailType ? MAX_FILTERED_ROUNDS : 1;
    for (let round = 0; round < rounds && items.length < wanted; round += 1) {
      const page = await this.queryFeed(userId, query, wanted, start);
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    // More than the page holds: cut, and continue after the last item kept.
    if (items.length > query.limit) {
      const kept = items.slice(0, query.limit);
      return {
        items: kept.map(feedEntryOf),
        next: positionOf(kept[kept.length - 1] as Record<string, unknown>),
      };
    }
    // Fewer: the end of the feed, unless the reads stopped early (the filtered rounds ran out, or
    // DynamoDB's 1 MB page): then continue where they stopped.
    return { items: items.map(feedEntryOf), next: start ? positionOf(start) : undefined };
  }

  private async queryFeed(
    userId: string,
    query: FeedQuery,
    limit: number,
    start: Record<string, unknown> | undefined,
  ): Promise<QueryCommandOutput> {
    const filter = query.detailType !== undefined;
    try {
      return await this.client.send(
        new QueryCommand({
          TableName: this.tables.activities,
          IndexName: FEED_INDEX,
          KeyConditionExpression: '#userId = :userId',
          ...(filter ? { FilterExpression: '#detailType = :detailType' } : {}),
          ExpressionAttributeNames: {
            '#userId': 'userId',
            ...(filter ? { '#detailType': 'detailType' } : {}),
          },
          ExpressionAttributeValues: {
            ':userId': userId,
            ...(filter ? { ':detailType': query.detailType } : {}),
          },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
    } catch (error) {
      throw classifyStoreError(error, `reading the feed of user ${userId}`);
    }
  }
}

/**
 * The read API's store as every reader uses it: the tables, with erased users answered as unknown
 * (the set comes from the erasure log, cached for `erasureCacheSeconds`; 0 reads it on every call).
 */
export function erasureAwareProfileStore(
  client: DynamoDBDocumentClient,
  tables: ProfileTables,
  erasureCacheSeconds: number,
): ProfileStore {
  return new ErasureAwareProfileStore(
    new DynamoProfileStore(client, tables),
    new CachedErasedUsers(new DynamoErasureLog(client, tables.stats), {
      cacheSeconds: erasureCacheSeconds,
    }),
  );
}
