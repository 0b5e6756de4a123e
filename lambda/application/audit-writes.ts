import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { transactOrConflict } from '../adapters/stats-store.ts';

/** One repair write: slot items to put or delete, and the statistics item, all conditioned. */
export interface RepairWrite {
  readonly userId: string;
  readonly slotWrites: readonly {
    readonly sk: string;
    /** The slot item to write, or `undefined` to delete a slot no applied activity supports. */
    readonly item: Record<string, unknown> | undefined;
    /** The rank the slot must still have; `undefined`: it must not exist. */
    readonly expectedRank: string | undefined;
  }[];
  readonly stats: Record<string, unknown>;
  /** The version the statistics must still have; `undefined`: no statistics item yet. */
  readonly expectedVersion: number | undefined;
}

/** Sends a repair write as one transaction; `conflict` when the state moved on since it was read. */
export function transactWrite(client: DynamoDBDocumentClient, table: string, write: RepairWrite) {
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
    ...write.slotWrites.map(({ sk, item, expectedRank }) => {
      const condition = expectedRank === undefined ? notExists : rankIs(expectedRank);
      return item
        ? { Put: { TableName: table, Item: item, ...condition } }
        : { Delete: { TableName: table, Key: { userId: write.userId, sk }, ...condition } };
    }),
    {
      Put: {
        TableName: table,
        Item: write.stats,
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
