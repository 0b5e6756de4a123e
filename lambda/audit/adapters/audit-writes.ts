import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  conditionedDelete,
  conditionedPut,
  expecting,
  transactOrConflict,
} from '../../shared/aws/conditioned-writes.ts';
import { slotItem, statsItem } from '../../statistics/index.ts';
import type { RepairWrite } from '../application/audit.ts';

/** Sends a repair write as one transaction; `conflict` when the state moved on since it was read. */
export function transactWrite(
  client: DynamoDBDocumentClient,
  table: string,
  write: RepairWrite,
  now: Date = new Date(),
) {
  const items = [
    ...write.slotWrites.map(({ name, slot, expectedRank }) =>
      slot
        ? conditionedPut(table, slotItem(write.userId, slot, now), expecting('rank', expectedRank))
        : conditionedDelete(table, { userId: write.userId, sk: name }, expecting('rank', expectedRank)),
    ),
    conditionedPut(
      table,
      statsItem(write.userId, write.stats, now),
      expecting('version', write.expectedVersion),
    ),
  ];
  return transactOrConflict(client, items, `repairing statistics of user ${write.userId}`);
}
