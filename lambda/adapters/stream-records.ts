import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { readActivityItem, statsActivityOf } from '../domain/activity-item.ts';
import type { StatsActivity } from '../domain/stats.ts';

/** A stream record that is not a readable activity insert (a poison record). */
export class UnreadableRecordError extends Error {
  override readonly name = 'UnreadableRecordError';
}

/**
 * The activity an `INSERT` stream record of the activity table carries, in either item shape.
 * @throws UnreadableRecordError without a new image; UnreadableItemError for an item that is no activity
 */
export function activityFromStreamRecord(record: DynamoDBRecord): StatsActivity {
  const image = record.dynamodb?.NewImage;
  if (!image) throw new UnreadableRecordError('record has no new image: the stream must use NEW_IMAGE');
  return statsActivityOf(readActivityItem(unmarshall(image as Record<string, AttributeValue>)));
}
