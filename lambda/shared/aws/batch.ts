import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { type BackoffOptions, backoff } from '../backoff.ts';
import { MAX_BATCH_GET_KEYS, MAX_BATCH_WRITE_REQUESTS } from '../contract/limits.ts';
import { TransientStoreError } from '../errors.ts';
import type { Item } from './paging.ts';
import { classifyStoreError } from './store-errors.ts';

/**
 * How a batch call resends what DynamoDB left unprocessed (it does so when throttled): at most
 * `maxRounds` requests per chunk, waiting the one backoff between them.
 */
export interface UnprocessedRetry {
  readonly maxRounds: number;
  readonly backoff: BackoffOptions;
}

/** Ten rounds, 50 ms doubling up to 1 s: a throttled table gets about five seconds to recover. */
export const UNPROCESSED_RETRY: UnprocessedRetry = {
  maxRounds: 10,
  backoff: { baseDelayMs: 50, maxDelayMs: 1000 },
};

/** Options of the batch calls. */
export interface BatchOptions {
  /** What the call does, for the error an operator reads ("reading statistics state"). */
  readonly action: string;
  /** @default UNPROCESSED_RETRY */
  readonly retry?: UnprocessedRetry;
}

/**
 * Sends `pending` in rounds until DynamoDB has processed all of it: the one resend loop of
 * unprocessed keys and items. Failures that may pass become `TransientStoreError`.
 */
async function untilProcessed<T>(
  pending: T[],
  send: (pending: T[]) => Promise<T[] | undefined>,
  options: BatchOptions,
): Promise<void> {
  const { maxRounds, backoff: waits } = options.retry ?? UNPROCESSED_RETRY;
  let left: T[] | undefined = pending;
  for (let round = 0; left && left.length > 0; round += 1) {
    if (round === maxRounds)
      throw new TransientStoreError(
        `${options.action}: DynamoDB left ${left.length} requests unprocessed ${maxRounds} times in a row (throttled); it is retried`,
      );
    if (round > 0) await backoff(round, waits);
    try {
      left = await send(left);
    } catch (error) {
      throw classifyStoreError(error, options.action);
    }
  }
}

/** The items at `keys` (any number of them, 100 per request); missing ones are simply absent. */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  options: BatchOptions & { readonly consistentRead?: boolean },
): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET_KEYS)
    await untilProcessed(
      keys.slice(i, i + MAX_BATCH_GET_KEYS),
      async (Keys) => {
        const out: BatchGetCommandOutput = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: { Keys, ...(options.consistentRead ? { ConsistentRead: true } : {}) },
            },
          }),
        );
        found.push(...(out.Responses?.[tableName] ?? []));
        return out.UnprocessedKeys?.[tableName]?.Keys;
      },
      options,
    );
  return found;
}

/** One request of a batch write: put an item, or delete the item at a key. */
export type WriteRequest =
  | { readonly PutRequest: { Item: Item } }
  | { readonly DeleteRequest: { Key: Item } };

/** Writes any number of puts and deletes, 25 per request, resending what DynamoDB left unprocessed. */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchOptions,
): Promise<void> {
  for (let i = 0; i < requests.length; i += MAX_BATCH_WRITE_REQUESTS)
    await untilProcessed(
      requests.slice(i, i + MAX_BATCH_WRITE_REQUESTS),
      async (pending) => {
        const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        return out.UnprocessedItems?.[tableName] as WriteRequest[] | undefined;
      },
      options,
    );
}

/** Deletes the items at `keys`, 25 per request (see {@link batchWriteAll}). */
export function batchDeleteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  options: BatchOptions,
): Promise<void> {
  return batchWriteAll(
    client,
    tableName,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
    options,
  );
}
