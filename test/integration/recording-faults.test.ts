import { DynamoDBServiceException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { TransientStoreError } from '../../lambda/shared/errors.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { createTestTables, scanAll, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';

let db: TestTables;
beforeAll(async () => {
  db = await createTestTables();
});

/**
 * A DynamoDB client on the real engine whose puts for the given users fail once with `fault`:
 * throttling and 5xx cannot be provoked on DynamoDB Local, so they are injected in the SDK's
 * middleware, after which the request is real again.
 */
function faultyRecorder(failOnce: Set<string>, fault: () => Error) {
  const client = localDynamoClient(db.endpoint, 1);
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Item?: { userId?: { S?: string } } };
      const userId = input.Item?.userId?.S;
      if (userId && failOnce.delete(userId)) throw fault();
      return next(args);
    },
    { step: 'build', name: 'injectFault' },
  );
  const doc = documentClient(client);
  return createRecordHandler(
    recordingDependencies({
      client: doc,
      tables: db.names,
      flag: new FixedFlag('on'),
      writeConcurrency: 1,
    }),
  );
}

async function keysOf(userIds: string[]): Promise<string[]> {
  return (await scanAll(db.doc, db.names.activities))
    .filter((i) => userIds.includes(String(i.userId)))
    .map((i) => `${i.userId}|${i.idempotencyKey}`);
}

const faults: [string, () => Error][] = [
  [
    'throttling',
    () =>
      new ProvisionedThroughputExceededException({
        message: 'Rate of requests exceeds the allowed throughput',
        $metadata: {},
      }),
  ],
  [
    'a 5xx',
    () =>
      new DynamoDBServiceException({
        name: 'InternalServerError',
        $fault: 'server',
        message: 'Internal server error',
        $metadata: { httpStatusCode: 500 },
      }),
  ],
];

describe('transient DynamoDB faults', () => {
  it.each(faults)(
    'fail the invocation on %s so it is retried, and the retry completes a partial write once',
    async (name, fault) => {
      const tag = name.replace(/\W/g, '');
      const users = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
      const detail = exampleDetail('RegistrationStatusChanged', {
        registrationId: `reg-${tag}`,
        userIds: users,
      });
      const record = faultyRecorder(new Set([users[1] as string]), fault);

      await expect(record(bridgeEvent('RegistrationStatusChanged', detail))).rejects.toThrow(
        TransientStoreError,
      );
      expect(await keysOf(users)).toHaveLength(1);

      const retry = await record(bridgeEvent('RegistrationStatusChanged', detail));
      expect(retry).toMatchObject({ status: 'processed', recorded: 2, duplicates: 1, conflicts: 0 });
      expect((await keysOf(users)).sort()).toEqual(
        users.map((u) => `${u}|registration_status:reg-${tag}:approved`),
      );
    },
  );
});
