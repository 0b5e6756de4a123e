import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../../shared/aws/batch.ts';
import {
  conditionedChange,
  conditionedPut,
  expecting,
  transactOrConflict,
} from '../../shared/aws/conditioned-writes.ts';
import type { ProjectionStore, StateRequest } from '../application/ports.ts';
import type { SequenceReader } from '../domain/overlay.ts';
import type { ProjectionCommit, ProjectionState } from '../domain/projection.ts';
import { scopeItem, scopeSk } from '../domain/scope-items.ts';
import { sequenceChanges } from '../domain/sequence-items.ts';
import { markerSk, readStatsPartition, slotItem } from '../domain/stats-items.ts';
import { DynamoSequenceReader } from './sequence-reader.ts';

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
    ...commit.sequence.flatMap((write) =>
      sequenceChanges(userId, write).map((c) => conditionedChange(tableName, c)),
    ),
    ...commit.scopes.map(({ scope, next, expectedVersion }) =>
      conditionedPut(tableName, scopeItem(userId, scope, next, now), expecting('version', expectedVersion)),
    ),
  ];
}

/**
 * The projector's state in the statistics table. A load is one consistent `BatchGetItem` of the
 * summary items of the scopes asked for, the markers of the activities at hand and their slots; the
 * sequences are read through a {@link DynamoSequenceReader} only where a match lands before others;
 * a commit is one `TransactWriteItems`. None of it depends on how long the user's history is.
 */
export class DynamoProjectionStore implements ProjectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(userId: string, request: StateRequest): Promise<ProjectionState> {
    const sks = [...request.scopes.map(scopeSk), ...request.keys.map(markerSk), ...request.slots];
    const found = readStatsPartition(
      await batchGetAll(
        this.client,
        this.tableName,
        sks.map((sk) => ({ userId, sk })),
        { action: 'reading statistics state', consistentRead: true },
      ),
    );
    const scopes = new Map(request.scopes.map((scope) => [scope, found.scopes.get(scope)]));
    return { scopes, slots: found.slots, applied: found.applied };
  }

  sequences(userId: string): SequenceReader {
    return new DynamoSequenceReader(this.client, this.tableName, userId);
  }

  commit(commit: ProjectionCommit): Promise<'committed' | 'conflict'> {
    return transactOrConflict(
      this.client,
      commitActions(this.tableName, commit, this.now()),
      `applying statistics of user ${commit.userId}`,
    );
  }
}
