import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StatsActivity } from '../domain/stats.ts';

/** A stream record that is not a readable activity insert (a poison record). */
export class UnreadableRecordError extends Error {
  override readonly name = 'UnreadableRecordError';
}

/** The activity an `INSERT` stream record of the activity table carries. */
export function activityFromStreamRecord(record: DynamoDBRecord): StatsActivity {
  const image = record.dynamodb?.NewImage;
  if (!image) throw new UnreadableRecordError('record has no new image: the stream must use NEW_IMAGE');
  const item = unmarshall(image as Record<string, AttributeValue>);
  const { userId, idempotencyKey, detailType, occurredAt, payload } = item;
  if (typeof userId !== 'string' || typeof idempotencyKey !== 'string' || typeof detailType !== 'string')
    throw new UnreadableRecordError(
      'record is not an activity item (userId, idempotencyKey, detailType missing)',
    );
  if (typeof occurredAt !== 'string' || typeof payload !== 'string')
    throw new UnreadableRecordError(
      `activity ${idempotencyKey} of user ${userId} has no occurredAt or payload`,
    );
  let detail: unknown;
  try {
    detail = JSON.parse(payload);
  } catch (cause) {
    throw new UnreadableRecordError(
      `activity ${idempotencyKey} of user ${userId} has a payload that is not JSON`,
      { cause },
    );
  }
  return { userId, idempotencyKey, detailType, occurredAt, detail: detail as Record<string, unknown> };
}
