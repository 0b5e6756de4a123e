import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { classifyStoreError } from '../../shared/aws/store-errors.ts';
import type { Activity } from '../../shared/contract/activity.ts';
import type { ActivityWriter, PutResult } from '../application/ports.ts';

/**
 * Activity table writes: one conditional put per activity. A duplicate costs that one failed
 * write and no read: `ALL_OLD` returns the stored item's hash (and, for an item of the previous
 * shape, its payload) with the failure.
 */
export class DynamoActivityWriter implements ActivityWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putIfAbsent(activity: Activity): Promise<PutResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: activity,
          ConditionExpression: 'attribute_not_exists(#userId)',
          ExpressionAttributeNames: { '#userId': 'userId' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const text = (name: string) => {
          const value = error.Item?.[name];
          return value && 'S' in value ? value.S : undefined;
        };
        return { written: false, existing: { payloadHash: text('payloadHash'), payload: text('payload') } };
      }
      throw classifyStoreError(
        error,
        `recording activity ${activity.idempotencyKey} for user ${activity.userId}`,
      );
    }
  }
}
