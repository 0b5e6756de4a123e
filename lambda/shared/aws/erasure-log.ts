import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ERASURE_LOG_PARTITION, type ErasureLogEntry, type ErasureLogReader } from '../erased-users.ts';
import { allItems, type Item, queryPages } from './paging.ts';
import { classifyStoreError } from './store-errors.ts';

/**
 * The erasure log: one query of the `#erasures` partition of the statistics table, keys only and
 * strongly consistent, from a sort key on. Entries are about 60 bytes, so a refresh with nothing
 * new costs one read unit and a cold start with 100,000 erasures about 6 MB over a few pages.
 */
export class DynamoErasureLog implements ErasureLogReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly statsTableName: string,
  ) {}

  async entriesAfter(afterSk: string | undefined): Promise<ErasureLogEntry[]> {
    const pages = queryPages(this.client, {
      TableName: this.statsTableName,
      KeyConditionExpression: afterSk === undefined ? '#u = :u' : '#u = :u AND #sk > :after',
      ExpressionAttributeNames: { '#u': 'userId', '#sk': 'sk' },
      ExpressionAttributeValues: {
        ':u': ERASURE_LOG_PARTITION,
        ...(afterSk === undefined ? {} : { ':after': afterSk }),
      },
      ProjectionExpression: '#sk',
      ConsistentRead: true,
    });
    let items: Item[];
    try {
      items = await allItems(pages);
    } catch (error) {
      throw classifyStoreError(error, 'reading the erasure log');
    }
    const entries: ErasureLogEntry[] = [];
    for (const item of items) {
      const sk = String(item.sk);
      const [, userId, action] = sk.split('#');
      if (userId && (action === 'erase' || action === 'undo')) entries.push({ sk, userId, action });
    }
    return entries;
  }
}
