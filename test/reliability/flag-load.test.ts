import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserIncluded, parseFlag } from '../../lambda/shared/contract/flag.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { createTestTables, type TestTables } from '../support/dynamo.ts';
import { exampleDetail } from '../support/events.ts';
import { waitFor } from '../support/wait.ts';

const CACHE_SECONDS = 0.2;
const VALUES = ['on', '30', 'off', '70', '10', 'on', 'off'];
let stack: LocalStack;
let tables: TestTables;
let eventBridge: EventBridgeClient;
let ssm: SSMClient;
/** The flag value each delivered registration was handled under, by its registration id. */
const deliveredUnder = new Map<string, string>();

beforeAll(async () => {
  tables = await createTestTables();
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: tables.endpoint,
    tablePrefix: `flag-${randomUUID().slice(0, 6)}-`,
    flag: 'off',
    flagCacheSeconds: CACHE_SECONDS,
    statistics: false,
    log: (line) => {
      const outcome = / registration_status:(\S+):approved: .*\(flag ([^)]*)\), \d+ erased$/.exec(line);
      if (outcome) deliveredUnder.set(outcome[1] as string, outcome[2] as string);
    },
  });
  eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
});

afterAll(async () => {
  // Nothing may be in flight when the stack goes: a delivery cut off mid-request would fail the run.
  await stack?.settled();
  await stack?.stop();
  eventBridge?.destroy();
  ssm?.destroy();
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

/** Background traffic across every change: one event at a time, numbered so "published after" is known. */
function startNoise() {
  let published = 0;
  let flowing = true;
  const done = (async () => {
    while (flowing) {
      const n = published + 1;
      await publish([entry(`noise-${n}`, `noise-${n}`)]);
      published = n;
    }
  })();
  return {
    published: () => published,
    /** Resolves when a noise event published after number `after` was handled under `value`. */
    handledUnder: (value: string, after: number) =>
      waitFor(`background events handled under flag "${value}"`, () => {
        for (let n = after + 1; n <= published; n += 1)
          if (deliveredUnder.get(`noise-${n}`) === value) return n;
        return undefined;
      }),
    async stop() {
      flowing = false;
      await done;
    },
  };
}

/**
 * Waits until the handler reads `value`: a background event published after the change was handled
 * under it, then, one whole cache window later, another one was too (so no read that started before
 * the change can still be in the handler's cache).
 */
async function changeTakesEffect(noise: ReturnType<typeof startNoise>, value: string, changedAt: number) {
  await noise.handledUnder(value, changedAt);
  const windowStart = Date.now();
  await waitFor('one flag cache window to pass', () => Date.now() - windowStart > CACHE_SECONDS * 1000);
  await noise.handledUnder(value, noise.published());
}

describe('the flag changed while events flow', () => {
  it('records every included user and no excluded one once each change has taken effect', async () => {
    // Prepare: traffic that keeps flowing across every change (its users straddle the cache window,
    // where either answer is allowed, so they are not checked).
    const noise = startNoise();
    const checked: { value: string; included: number; excluded: number; wrong: string[] }[] = [];
    try {
      for (const [phase, value] of VALUES.entries()) {
        // Act: change the flag, wait until it is read, then publish users whose answer is known.
        const changedAt = noise.published();
        await ssm.send(
          new PutParameterCommand({
            Name: stack.flagParameterName,
            Value: value,
            Overwrite: true,
            Type: 'String',
          }),
        );
        await changeTakesEffect(noise, value, changedAt);
        const users = Array.from({ length: 40 }, (_, i) => ({
          userId: `p${phase}-u${i}`,
          registrationId: `p${phase}-r${i}`,
        }));
        await publish(users.map((u) => entry(u.userId, u.registrationId)));
        await waitFor(`the 40 checked events of phase ${phase} to be delivered`, () =>
          users.every((u) => deliveredUnder.has(u.registrationId)),
        );

        // Assess (collected per phase, asserted below so one report shows every phase).
        const setting = parseFlag(value);
        const outcome = { value, included: 0, excluded: 0, wrong: [] as string[] };
        for (const u of users) {
          const expected = isUserIncluded(setting, u.userId);
          const under = deliveredUnder.get(u.registrationId);
          const actual = await recorded(u.userId, u.registrationId);
          if (under !== value || actual !== expected)
            outcome.wrong.push(
              `${u.userId}: handled under "${under}", recorded ${actual}, expected ${expected}`,
            );
          if (expected) outcome.included += 1;
          else outcome.excluded += 1;
        }
        checked.push(outcome);
      }
    } finally {
      await noise.stop();
    }

    expect(noise.published()).toBeGreaterThan(VALUES.length);
    expect(checked.flatMap((c) => c.wrong)).toEqual([]);
    expect(checked.filter((c) => c.value === 'off').every((c) => c.included === 0)).toBe(true);
    expect(checked.filter((c) => c.value === 'on').every((c) => c.excluded === 0)).toBe(true);
    // Every percentage splits the checked users both ways, so both answers are exercised.
    const partial = checked.filter((c) => /^\d+$/.test(c.value));
    expect(partial.every((c) => c.included > 0 && c.excluded > 0)).toBe(true);
  }, 600_000);
});
