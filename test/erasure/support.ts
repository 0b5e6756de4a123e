import { PassThrough } from 'node:stream';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { main } from '../../bin/cli/main.ts';
import { LOCAL_AWS, localDynamoClient } from '../../infra/local/clients.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { documentClient } from '../../lambda/adapters/clients.ts';
import { activityFor } from '../../lambda/domain/activity.ts';
import { statsActivityOf } from '../../lambda/domain/activity-item.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import { type StatsActivity, statsOf } from '../../lambda/domain/stats.ts';
import { type PlannedEvent, tournamentArbitrary } from '../support/tournament.ts';

/** A season of one generated tournament, the same for a given seed. */
export function season(prefix: string, seed: number): PlannedEvent[] {
  const [events] = fc.sample(
    tournamentArbitrary(prefix).filter((e) => e.length >= 6),
    { seed, numRuns: 1 },
  );
  return events as PlannedEvent[];
}

/** Runs the CLI in process against the local stack; stdout and stderr as text. */
export async function tpi(
  stack: LocalStack,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const code = await main([...args, '--endpoint', stack.endpoint], {
    stdout,
    stderr,
    stdin: new PassThrough(),
  });
  return { code, stdout: out, stderr: err };
}

/** Publishes planned events through the stack's PutEvents, ten per request. */
export async function publish(stack: LocalStack, events: readonly PlannedEvent[]): Promise<void> {
  const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  try {
    for (let i = 0; i < events.length; i += 10) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: events.slice(i, i + 10).map((e) => ({
            EventBusName: stack.busName,
            Source: stack.eventSource,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      if (out.FailedEntryCount) throw new Error(`entries refused: ${JSON.stringify(out.Entries)}`);
    }
  } finally {
    client.destroy();
  }
}

/** The oracle: each user's statistics by `statsOf` over the activities these events record. */
export function oracle(events: readonly PlannedEvent[], eventSource: string): Map<string, StatsActivity[]> {
  const byUser = new Map<string, Map<string, StatsActivity>>();
  for (const planned of events) {
    const event = acceptEvent(
      { id: 'oracle', source: eventSource, 'detail-type': planned.detailType, detail: planned.detail },
      eventSource,
    );
    for (const userId of event.userIds) {
      const mine = byUser.get(userId) ?? new Map<string, StatsActivity>();
      if (!mine.has(event.idempotencyKey))
        mine.set(event.idempotencyKey, statsActivityOf(activityFor(event, userId, new Date())));
      byUser.set(userId, mine);
    }
  }
  return new Map([...byUser].map(([userId, mine]) => [userId, [...mine.values()]]));
}

/** Expected statistics of a user over `activities` (the oracle's answer). */
export const expectedStats = (userId: string, activities: readonly StatsActivity[] = []) =>
  statsOf(userId, activities);

/** Every item of a user's partition in a table (keys only). */
export async function partitionItems(stack: LocalStack, table: string, userId: string) {
  const dynamo = localDynamoClient(stack.dynamodbEndpoint);
  try {
    const { Items = [] } = await documentClient(dynamo).send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#u = :u',
        ExpressionAttributeNames: { '#u': 'userId' },
        ExpressionAttributeValues: { ':u': userId },
        ConsistentRead: true,
      }),
    );
    return Items;
  } finally {
    dynamo.destroy();
  }
}
