import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../../shared/aws/batch.ts';
import { conditionedPut, expecting, transactOrConflict } from '../../shared/aws/conditioned-writes.ts';
import type { ProjectionStore } from '../application/ports.ts';
import type { ProjectionCommit, ProjectionState } from '../domain/projection.ts';
import { markerSk, readStatsPartition, STATS_SK, slotItem, statsItem } from '../domain/stats-items.ts';

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
    } = readStatsPartition(
      await batchGetAll(
        this.client,
        this.tableName,
        sks.map((sk) => ({ userId, sk })),
        { action: 'reading statistics state', consistentRead: true },
      ),
    );
    return { stats, slots: found, applied };
  }

  commit(commit: ProjectionCommit): Promise<'committed' | 'conflict'> {
    return transactOrConflict(
      this.client,
      commitActions(this.tableName, commit, this.now()),
      `applying statistics of user ${commit.userId}`,
    );
  }
}
