import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { conditionedPut, expecting } from '../../shared/aws/conditioned-writes.ts';
import { classifyStoreError } from '../../shared/aws/store-errors.ts';
import { backoff } from '../../shared/backoff.ts';
import { TransientStoreError } from '../../shared/errors.ts';
import type { ProjectionStore } from '../application/ports.ts';
import type { ProjectionCommit, ProjectionState } from '../domain/projection.ts';
import { markerSk, readStatsPartition, STATS_SK, slotItem, statsItem } from '../domain/stats-items.ts';

/** Waits between rounds of a batch read that DynamoDB left keys of (throttling). */
const UNPROCESSED_BACKOFF = { baseDelayMs: 50, maxDelayMs: 1000 };

/** Builds the conditioned transaction items of a commit. */
export function commitActions(tableName: string, commit: ProjectionCommit, now: Date) {
  const { userId } = commit;
  return [
    ...commit.markers.map((key) =>
      conditionedPut(tableName, { userId, sk: markerSk(key), appliedAt: now.toISOString() }, undefined),
    ),
    ...commit.slots.map(({ next, expectedRank }) =>
      conditionedPut(tableName, slotItem(userId, next, now), expecting('rank', expectedRank)),
    ),
    conditionedPut(
      tableName,
      statsItem(userId, commit.stats, now),
      expecting('version', commit.expectedVersion),
    ),
  ];
}

/**
 * Sends a transaction; a cancellation because a condition failed or another transaction touched
 * the same items is a `conflict` (the state moved on: plan again), anything else is thrown.
 */
export async function transactOrConflict(
  client: DynamoDBDocumentClient,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
  action: string,
): Promise<'committed' | 'conflict'> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return 'committed';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some(
        (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
      )
    )
      return 'conflict';
    throw classifyStoreError(error, action);
  }
}

/**
 * The projector's state in the statistics table. A load is one consistent `BatchGetItem` of the
 * statistics item, the markers of the activities at hand and their slots; a commit is one
 * `TransactWriteItems`. Neither depends on how long the user's history is.
 */
export class DynamoProjectionStore implements ProjectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(userId: string, keys: readonly string[], slots: readonly string[]): Promise<ProjectionState> {
    const sks = [STATS_SK, ...keys.map(markerSk), ...slots];
    const {
      stats,
      slots: found,
      applied,
    } = readStatsPartition(await this.batchGet(sks.map((sk) => ({ userId, sk }))));
    return { stats, slots: found, applied };
  }

  commit(commit: ProjectionCommit): Promise<'committed' | 'conflict'> {
    return transactOrConflict(
      this.client,
      commitActions(this.tableName, commit, this.now()),
      `applying statistics of user ${commit.userId}`,
    );
  }

  private async batchGet(keys: Record<string, string>[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      for (let round = 0; pending && pending.length > 0; round += 1) {
        if (round === 10)
          throw new TransientStoreError(
            'DynamoDB left statistics keys unprocessed 10 times in a row (throttled)',
          );
        if (round > 0) await backoff(round, UNPROCESSED_BACKOFF);
        try {
          const out: BatchGetCommandOutput = await this.client.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
            }),
          );
          found.push(...(out.Responses?.[this.tableName] ?? []));
          pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
        } catch (error) {
          throw classifyStoreError(error, 'reading statistics state');
        }
      }
    }
    return found;
  }
}
