import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ActivityWriter, PutResult } from '../application/ports.ts';
import type { Activity } from '../domain/activity.ts';
import { classifyStoreError } from './dynamo-errors.ts';

/**
 * Activity table writes: one conditional put per activity. A duplicate costs that one failed
 * write and no read: `ALL_OLD` returns the stored item's hash with the failure.
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
        const stored = error.Item?.payloadHash;
        return { written: false, existingHash: stored && 'S' in stored ? stored.S : undefined };
      }
      throw classifyStoreError(
        error,
        `recording activity ${activity.idempotencyKey} for user ${activity.userId}`,
      );
    }
  }
}
