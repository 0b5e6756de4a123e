import type { DynamoDBStreamEvent } from 'aws-lambda';

/**
 * The users an activity-stream batch touched: the partition key of each new activity. Only what
 * changed is audited, so the time to find a duplicate does not grow with the table.
 */
export function touchedUsers(event: DynamoDBStreamEvent): string[] {
  const users = new Set<string>();
  for (const record of event.Records ?? []) {
    if (record.eventName !== 'INSERT') continue;
    const userId = record.dynamodb?.Keys?.userId?.S;
    if (userId) users.add(userId);
  }
  return [...users];
}
