import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../infra/local/clients.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.ts';
import { isUserIncluded, parseFlag } from '../../lambda/domain/flag.ts';
import { createTestTables, type TestTables } from '../support/dynamo.ts';
import { exampleDetail } from '../support/events.ts';

const CACHE_SECONDS = 0.2;
let stack: LocalStack;
let tables: TestTables;
let eventBridge: EventBridgeClient;
let ssm: SSMClient;

beforeAll(async () => {
  tables = await createTestTables();
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: tables.endpoint,
    tablePrefix: `flag-${randomUUID().slice(0, 6)}-`,
    flag: 'off',
    flagCacheSeconds: CACHE_SECONDS,
    statistics: false,
  });
  eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
});

afterAll(async () => {
  await stack?.stop();
});

const entry = (userId: string, registrationId: string) => ({
  EventBusName: stack.busName,
  Source: stack.eventSource,
  DetailType: 'RegistrationStatusChanged',
  Detail: JSON.stringify(exampleDetail('RegistrationStatusChanged', { registrationId, userIds: [userId] })),
});

async function publish(entries: ReturnType<typeof entry>[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const out = await eventBridge.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    expect(out.FailedEntryCount).toBe(0);
  }
}

async function recorded(userId: string, registrationId: string): Promise<boolean> {
  const { Item } = await tables.doc.send(
    new GetCommand({
      TableName: stack.tables.activities,
      Key: { userId, idempotencyKey: `registration_status:${registrationId}:approved` },
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

describe('the flag changed while events flow', () => {
  it('records every included user and no excluded one once each change has taken effect', async () => {
    // Background traffic that keeps flowing across every change (its users are not checked: they
    // straddle the cache window, where either answer is allowed).
    let flowing = true;
    let background = 0;
    const noise = (async () => {
      while (flowing) {
        background += 1;
        await publish([entry(`noise-${background}`, `noise-${background}`)]);
      }
    })();

    const checked: { value: string; included: number; excluded: number }[] = [];
    try {
      for (const [phase, value] of ['on', '30', 'off', '70', '10', 'on', 'off'].entries()) {
        await ssm.send(
          new PutParameterCommand({
            Name: stack.flagParameterName,
            Value: value,
            Overwrite: true,
            Type: 'String',
          }),
        );
        // The handler caches the flag for CACHE_SECONDS: after that (plus a margin for a read in
        // flight) every delivery must see the new value.
        await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 300));
        const users = Array.from({ length: 40 }, (_, i) => ({
          userId: `p${phase}-u${i}`,
          registrationId: `p${phase}-r${i}`,
        }));
        await publish(users.map((u) => entry(u.userId, u.registrationId)));
        await stack.settled();
        const setting = parseFlag(value);
        let included = 0;
        let excluded = 0;
        for (const u of users) {
          const expected = isUserIncluded(setting, u.userId);
          expect(await recorded(u.userId, u.registrationId), `${u.userId} at flag ${value}`).toBe(expected);
          if (expected) included += 1;
          else excluded += 1;
        }
        checked.push({ value, included, excluded });
      }
    } finally {
      flowing = false;
      await noise;
    }
    expect(background).toBeGreaterThan(10);
    // Every phase checked users on both sides where the value allows it.
    expect(checked.filter((c) => c.value === 'off').every((c) => c.included === 0)).toBe(true);
    expect(checked.filter((c) => c.value === 'on').every((c) => c.excluded === 0)).toBe(true);
    const partial = checked.filter((c) => /^\d+$/.test(c.value));
    expect(partial.every((c) => c.included > 0 && c.excluded > 0)).toBe(true);
  });
});
