import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeadLetterWriter } from '../../recording/application/ports.ts';
import type { DeadLetter } from '../contract/dead-letter.ts';
import { classifyStoreError } from './store-errors.ts';

/** Dead letters in their DynamoDB table; storing one again overwrites it with the same content. */
export class DynamoDeadLetterWriter implements DeadLetterWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(deadLetter: DeadLetter): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: deadLetter }));
    } catch (error) {
      throw classifyStoreError(error, `storing dead letter ${deadLetter.deadLetterId}`);
    }
  }
}
