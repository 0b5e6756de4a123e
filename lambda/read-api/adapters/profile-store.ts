import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { classifyStoreError } from '../../shared/aws/store-errors.ts';
import { backoff } from '../../shared/backoff.ts';
import { readActivityItem } from '../../shared/contract/activity-item.ts';
import { TransientStoreError } from '../../shared/errors.ts';
import { FEED_INDEX } from '../../shared/tables.ts';

import type { StoredStats } from '../../statistics/domain/projection.ts';
import { STATS_SK, storedStatsOf } from '../../statistics/domain/stats-items.ts';
import type { FeedPosition, FeedQuery, ProfileStore, StoredFeedPage } from '../application/ports.ts';
import type { FeedEntry } from '../domain/routes.ts';

/** Where the read API finds its tables. */
export interface ProfileTables {
  readonly activityTable: string;
  readonly statsTable: string;
}

/** Query rounds a filtered feed page may take before it answers with what it found and a cursor. */
const MAX_FILTERED_ROUNDS = 5;
/** Rounds of `UnprocessedKeys` a batch read retries before it gives up (throttling). */
const MAX_BATCH_ROUNDS = 8;
/** Waits between those rounds. */
const UNPROCESSED_BACKOFF = { baseDelayMs: 40, maxDelayMs: 500 };

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
 * The read side of the tables: one eventually consistent `GetItem` per user's statistics, one
 * `BatchGetItem` for up to 100 users, and `Query` on the feed index (never on the statistics
 * partition, whose markers grow with the history).
 */
export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: ProfileTables,
  ) {}

  async stats(userId: string): Promise<StoredStats | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tables.statsTable, Key: { userId, sk: STATS_SK } }),
      );
      return Item ? storedStatsOf(Item) : undefined;
    } catch (error) {
      throw classifyStoreError(error, `reading the statistics of user ${userId}`);
    }
  }

  async statsMany(userIds: readonly string[]): Promise<ReadonlyMap<string, StoredStats>> {
    const found = new Map<string, StoredStats>();
    const table = this.tables.statsTable;
    let pending: Record<string, unknown>[] | undefined = [...new Set(userIds)].map((userId) => ({
      userId,
      sk: STATS_SK,
    }));
    for (let round = 0; pending && pending.length > 0; round += 1) {
      if (round === MAX_BATCH_ROUNDS)
        throw new TransientStoreError(`DynamoDB left statistics keys unprocessed ${round} times (throttled)`);
      if (round > 0) await backoff(round, UNPROCESSED_BACKOFF);
      try {
        const out: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }),
        );
        for (const item of out.Responses?.[table] ?? []) found.set(String(item.userId), storedStatsOf(item));
        pending = out.UnprocessedKeys?.[table]?.Keys;
      } catch (error) {
        throw classifyStoreError(error, 'reading the statistics of many users');
      }
    }
    return found;
  }

  async feed(userId: string, query: FeedQuery): Promise<StoredFeedPage> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined = query.after;
    const rounds = query.detailType ? MAX_FILTERED_ROUNDS : 1;
    for (let round = 0; round < rounds && items.length < query.limit; round += 1) {
      const page = await this.queryFeed(userId, query, start);
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    // A filtered round can return more than the page needs: cut, and continue after the last item kept.
    if (items.length > query.limit) {
      const kept = items.slice(0, query.limit);
      return {
        items: kept.map(feedEntryOf),
        next: positionOf(kept[kept.length - 1] as Record<string, unknown>),
      };
    }
    return { items: items.map(feedEntryOf), next: start ? positionOf(start) : undefined };
  }

  private async queryFeed(
    userId: string,
    query: FeedQuery,
    start: Record<string, unknown> | undefined,
  ): Promise<QueryCommandOutput> {
    const filter = query.detailType !== undefined;
    try {
      return await this.client.send(
        new QueryCommand({
          TableName: this.tables.activityTable,
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
          Limit: query.limit,
          ExclusiveStartKey: start,
        }),
      );
    } catch (error) {
      throw classifyStoreError(error, `reading the feed of user ${userId}`);
    }
  }
}
