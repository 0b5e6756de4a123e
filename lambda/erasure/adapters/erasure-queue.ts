import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErasureRecord, ErasureRequests } from '../application/ports.ts';
import { readErasureRecord } from './erasure-store.ts';

/** The message the erasure worker reads: the user's id, nothing else. */
export interface ErasureMessage {
  readonly userId: string;
}

/**
 * Erasure requests on a FIFO queue. The user id is the message group, so one user's erasure never
 * runs twice at once; requests for a user within the same minute are one message (deduplication
 * id), so a client retrying its DELETE does not queue more work, and one a minute later (after an
 * undo, say) is a new request. The record is read from the statistics table.
 */
export class SqsErasureRequests implements ErasureRequests {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly statsTableName: string,
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  record(userId: string): Promise<ErasureRecord | undefined> {
    return readErasureRecord(this.doc, this.statsTableName, userId);
  }

  async request(userId: string): Promise<void> {
    const message: ErasureMessage = { userId };
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageGroupId: userId,
        MessageDeduplicationId: `${userId}:${Math.floor(Date.now() / 60_000)}`,
      }),
    );
  }
}
