import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchDeleteAll } from '../../shared/aws/batch.ts';
import {
  conditionedDelete,
  conditionedPut,
  transactOrConflict,
} from '../../shared/aws/conditioned-writes.ts';
import { deadLetterPage } from '../../shared/aws/dead-letters.ts';
import {
  ERASURE_LOG_PARTITION,
  ERASURE_RECORD_SK,
  type ErasureAction,
  erasureLogSk,
  NO_REMOVALS,
  type RemovedCounts,
} from '../../shared/erased-users.ts';
import { TransientStoreError } from '../../shared/errors.ts';
import type { ErasureRecord, ErasureStore, KeyPage, StoredDeadLetter } from '../application/ports.ts';

/** Table names the erasure works on. */
export interface ErasureTables {
  readonly activities: string;
  readonly stats: string;
  readonly deadLetters: string;
}

const logEntry = (tableName: string, at: Date, userId: string, action: ErasureAction) => ({
  Put: {
    TableName: tableName,
    Item: { userId: ERASURE_LOG_PARTITION, sk: erasureLogSk(at, userId, action) },
  },
});

function recordOf(item: Record<string, unknown>): ErasureRecord {
  return {
    userId: String(item.userId),
    state: item.state === 'erased' ? 'erased' : 'erasing',
    erasedAt: String(item.erasedAt),
    removed: { ...NO_REMOVALS, ...((item.removed as Partial<RemovedCounts> | undefined) ?? {}) },
    keptDeadLetters: Array.isArray(item.keptDeadLetters) ? item.keptDeadLetters.map(String) : [],
  };
}

/** A user's erasure record, read strongly consistent (one GetItem of the statistics table). */
export async function readErasureRecord(
  client: DynamoDBDocumentClient,
  statsTableName: string,
  userId: string,
): Promise<ErasureRecord | undefined> {
  const { Item } = await client.send(
    new GetCommand({
      TableName: statsTableName,
      Key: { userId, sk: ERASURE_RECORD_SK },
      ConsistentRead: true,
    }),
  );
  return Item ? recordOf(Item) : undefined;
}

/** The erasure's storage in DynamoDB: records and log in the statistics table, batch deletes. */
export class DynamoErasureStore implements ErasureStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: ErasureTables,
  ) {}

  record(userId: string): Promise<ErasureRecord | undefined> {
    return readErasureRecord(this.client, this.tables.stats, userId);
  }

  async begin(userId: string, at: Date): Promise<ErasureRecord> {
    const record: ErasureRecord = {
      userId,
      state: 'erasing',
      erasedAt: at.toISOString(),
      removed: { ...NO_REMOVALS },
      keptDeadLetters: [],
    };
    const action = `writing the erasure record of user ${userId}`;
    const items = [
      conditionedPut(this.tables.stats, { ...record, sk: ERASURE_RECORD_SK }, undefined),
      logEntry(this.tables.stats, at, userId, 'erase'),
    ];
    if ((await transactOrConflict(this.client, items, action)) === 'committed') return record;
    // Another run began the same erasure a moment earlier: continue with its record.
    const found = await this.record(userId);
    if (found) return found;
    throw new TransientStoreError(`${action} conflicted with a concurrent write; the erasure is retried`);
  }

  async progress(record: ErasureRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.stats,
        Item: { ...record, keptDeadLetters: [...record.keptDeadLetters], sk: ERASURE_RECORD_SK },
        ConditionExpression: 'attribute_exists(#sk)',
        ExpressionAttributeNames: { '#sk': 'sk' },
      }),
    );
  }

  async undo(userId: string, at: Date): Promise<boolean> {
    const items = [
      conditionedDelete(this.tables.stats, { userId, sk: ERASURE_RECORD_SK }, 'present'),
      logEntry(this.tables.stats, at, userId, 'undo'),
    ];
    // A conflict: there was no record to lift.
    return (
      (await transactOrConflict(this.client, items, `lifting the erasure of user ${userId}`)) === 'committed'
    );
  }

  async activityKeys(userId: string, limit: number, start?: Record<string, unknown>) {
    const page = await this.partitionPage(this.tables.activities, 'idempotencyKey', userId, limit, start);
    return { keys: page.items.map((i) => String(i.idempotencyKey)), next: page.next };
  }

  deleteActivities(userId: string, idempotencyKeys: readonly string[]): Promise<void> {
    return batchDeleteAll(
      this.client,
      this.tables.activities,
      idempotencyKeys.map((idempotencyKey) => ({ userId, idempotencyKey })),
      { action: `deleting activities of user ${userId}` },
    );
  }

  async statsKeys(userId: string, limit: number, start?: Record<string, unknown>) {
    const page = await this.partitionPage(this.tables.stats, 'sk', userId, limit, start);
    const keys = page.items.map((i) => String(i.sk)).filter((sk) => sk !== ERASURE_RECORD_SK);
    return { keys, next: page.next };
  }

  deleteStatsItems(userId: string, sks: readonly string[]): Promise<void> {
    return batchDeleteAll(
      this.client,
      this.tables.stats,
      sks.map((sk) => ({ userId, sk })),
      { action: `deleting statistics of user ${userId}` },
    );
  }

  async deadLetters(limit: number, start?: Record<string, unknown>): Promise<KeyPage<StoredDeadLetter>> {
    const page = await deadLetterPage(this.client, this.tables.deadLetters, {
      limit,
      start,
      attributes: ['deadLetterId', 'event'],
    });
    const keys = page.items.map((i) => ({ deadLetterId: String(i.deadLetterId), event: String(i.event) }));
    return { keys, next: page.next };
  }

  deleteDeadLetters(ids: readonly string[]): Promise<void> {
    return batchDeleteAll(
      this.client,
      this.tables.deadLetters,
      ids.map((deadLetterId) => ({ deadLetterId })),
      { action: 'deleting dead letters of an erased user' },
    );
  }

  private async partitionPage(
    tableName: string,
    sortKey: string,
    userId: string,
    limit: number,
    start?: Record<string, unknown>,
  ) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#u = :u',
        ExpressionAttributeNames: { '#u': 'userId', '#s': sortKey },
        ExpressionAttributeValues: { ':u': userId },
        ProjectionExpression: '#u, #s',
        ConsistentRead: true,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    return { items: page.Items ?? [], next: page.LastEvaluatedKey };
  }
}
