import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { RepairWrite } from '../application/audit.ts';
import { slotItem, statsItem } from '../domain/stats-items.ts';
import { transactOrConflict } from './stats-store.ts';

/** Sends a repair write as one transaction; `conflict` when the state moved on since it was read. */
export function transactWrite(
  client: DynamoDBDocumentClient,
  table: string,
  write: RepairWrite,
  now: Date = new Date(),
) {
  const notExists = {
    ConditionExpression: 'attribute_not_exists(#sk)',
    ExpressionAttributeNames: { '#sk': 'sk' },
  };
  const rankIs = (rank: string) => ({
    ConditionExpression: '#rank = :rank',
    ExpressionAttributeNames: { '#rank': 'rank' },
    ExpressionAttributeValues: { ':rank': rank },
  });
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    ...write.slotWrites.map(({ name, slot, expectedRank }) => {
      const condition = expectedRank === undefined ? notExists : rankIs(expectedRank);
      return slot
        ? { Put: { TableName: table, Item: slotItem(write.userId, slot, now), ...condition } }
        : { Delete: { TableName: table, Key: { userId: write.userId, sk: name }, ...condition } };
    }),
    {
      Put: {
        TableName: table,
        Item: statsItem(write.userId, write.stats, now),
        ...(write.expectedVersion === undefined
          ? notExists
          : {
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': write.expectedVersion },
            }),
      },
    },
  ];
  return transactOrConflict(client, items, `repairing statistics of user ${write.userId}`);
}
