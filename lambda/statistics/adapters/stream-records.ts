import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

import type { StatsActivity } from '../domain/stats.ts';
import { statsActivityOfItem } from '../domain/stats-activity.ts';
import { UnreadableRecordError } from '../errors.ts';

/**
 * The activity an `INSERT` stream record of the activity table carries, in either item shape.
 * @throws UnreadableRecordError without a new image; UnreadableItemError for an item that is no activity
 */
export function activityFromStreamRecord(record: DynamoDBRecord): StatsActivity {
  const image = record.dynamodb?.NewImage;
  if (!image) throw new UnreadableRecordError('record has no new image: the stream must use NEW_IMAGE');
  return statsActivityOfItem(unmarshall(image as Record<string, AttributeValue>));
}
