import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  conditionedChange,
  conditionedDelete,
  conditionedPut,
  expecting,
  transactOrConflict,
} from '../../shared/aws/conditioned-writes.ts';
import { scopeItem, scopeSk, sequenceChanges, slotItem } from '../../statistics/index.ts';
import type { RepairWrite } from '../application/audit-repair.ts';

/**
 * Sends a repair write as one transaction, with the projector's own conditions (slot ranks,
 * sequence items, summary versions); `conflict` when the state moved on since it was read.
 */
export function transactWrite(
  client: DynamoDBDocumentClient,
  table: string,
  write: RepairWrite,
  now: Date = new Date(),
) {
  const { userId } = write;
  const items = [
    ...write.slotWrites.map(({ name, slot, expectedRank }) =>
      slot
        ? conditionedPut(table, slotItem(userId, slot, now), expecting('rank', expectedRank))
        : conditionedDelete(table, { userId, sk: name }, expecting('rank', expectedRank)),
    ),
    ...write.sequenceWrites.flatMap((w) =>
      sequenceChanges(userId, w).map((c) => conditionedChange(table, c)),
    ),
    ...write.scopeWrites.map(({ scope, next, expectedVersion }) =>
      next
        ? conditionedPut(table, scopeItem(userId, scope, next, now), expecting('version', expectedVersion))
        : conditionedDelete(table, { userId, sk: scopeSk(scope) }, expecting('version', expectedVersion)),
    ),
  ];
  return transactOrConflict(client, items, `repairing statistics of user ${userId}`);
}
