import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeadLetter, DeadLetterWriter } from '../contract/dead-letter.ts';
import { allItems, type PageKey, scanPages } from './paging.ts';
import { classifyStoreError } from './store-errors.ts';

/**
 * The dead-letter table: the recording function and the local bus write it, an erasure and the
 * operator's `tpi dead-letters` read and delete it. Each use is its own export, so a bundle carries
 * only the calls it makes (recording: one `PutItem`).
 */

/** Dead letters in their DynamoDB table; storing one again overwrites it with the same content. */
export class DynamoDeadLetterWriter implements DeadLetterWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(deadLetter: DeadLetter): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: deadLetter }));
    } catch (error) {
      throw classifyStoreError(error, `storing dead letter ${deadLetter.deadLetterId}`);
    }
  }
}

/** Oldest first, by the time each was stored. */
const byStoredAt = (a: DeadLetter, b: DeadLetter) => a.storedAt.localeCompare(b.storedAt);

/** Every dead letter, oldest first (a strongly consistent scan of the whole table). */
export async function allDeadLetters(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<DeadLetter[]> {
  const items = await allItems(scanPages(client, { TableName: tableName, ConsistentRead: true }));
  return (items as unknown as DeadLetter[]).sort(byStoredAt);
}

/** A page of the table's dead letters and where the next one starts. */
export interface DeadLetterPage<T> {
  readonly items: readonly T[];
  readonly next?: PageKey | undefined;
}

/**
 * One page of dead letters, oldest first within the page: up to `limit` from `start` (the `next` of
 * the page before), strongly consistent. `attributes` reads only those (what an erasure checks).
 */
export async function deadLetterPage<K extends keyof DeadLetter = keyof DeadLetter>(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { limit?: number | undefined; start?: PageKey | undefined; attributes?: readonly K[] },
): Promise<DeadLetterPage<Pick<DeadLetter, K>>> {
  const projection = options.attributes
    ? {
        ProjectionExpression: options.attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(options.attributes.map((name, i) => [`#a${i}`, name])),
      }
    : {};
  const page = await client.send(
    new ScanCommand({
      TableName: tableName,
      ExclusiveStartKey: options.start,
      ConsistentRead: true,
      ...(options.limit !== undefined ? { Limit: options.limit } : {}),
      ...projection,
    }),
  );
  const items = (page.Items ?? []) as unknown as DeadLetter[];
  return { items: options.attributes ? items : items.sort(byStoredAt), next: page.LastEvaluatedKey };
}

/** One dead letter by its id, strongly consistent; `undefined` when there is none. */
export async function getDeadLetter(
  client: DynamoDBDocumentClient,
  tableName: string,
  deadLetterId: string,
): Promise<DeadLetter | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: { deadLetterId }, ConsistentRead: true }),
  );
  return Item as DeadLetter | undefined;
}

/**
 * Deletes a dead letter unless it was stored again since it was read (the delete is conditional on
 * its `storedAt`): an event that failed again after a redrive keeps its dead letter. False when it
 * was stored again.
 */
export async function deleteDeadLetterIfUnchanged(
  client: DynamoDBDocumentClient,
  tableName: string,
  deadLetter: Pick<DeadLetter, 'deadLetterId' | 'storedAt'>,
): Promise<boolean> {
  try {
    await client.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { deadLetterId: deadLetter.deadLetterId },
        ConditionExpression: '#storedAt = :storedAt',
        ExpressionAttributeNames: { '#storedAt': 'storedAt' },
        ExpressionAttributeValues: { ':storedAt': deadLetter.storedAt },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
