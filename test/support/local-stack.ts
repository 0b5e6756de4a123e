import { PassThrough } from 'node:stream';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { main } from '../../bin/cli/main.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { userPartition } from '../../lambda/shared/aws/paging.ts';
import { LOCAL_AWS, localDynamoClient } from '../../local/clients.ts';

import type { LocalStack } from '../../local/stack-options.ts';

/** What a `tpi` run printed and returned. */
export interface TpiRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process against a local stack, as an operator would; stdout and stderr as text. */
export async function tpi(stack: Pick<LocalStack, 'endpoint'>, ...args: string[]): Promise<TpiRun> {
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

/** An event to publish: its detail type and detail. */
export interface Publishable {
  readonly detailType: string;
  readonly detail: unknown;
}

/** Publishes events through the stack's PutEvents, ten per request; throws on any refused entry. */
export async function publishTo(stack: LocalStack, events: readonly Publishable[]): Promise<void> {
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

/** Every item of a user's partition in one of the stack's tables, strongly consistent. */
export async function partitionItems(stack: LocalStack, table: string, userId: string) {
  const dynamo = localDynamoClient(stack.dynamodbEndpoint);
  try {
    return await userPartition(documentClient(dynamo), table, userId);
  } finally {
    dynamo.destroy();
  }
}
