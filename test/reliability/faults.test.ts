import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { listDeadLetters, redrive } from '../../bin/cli/operations.ts';
import { resolveTarget } from '../../bin/cli/target.ts';
import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';

import { statsOf } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOfItem } from '../../lambda/statistics/domain/stats-activity.ts';
import { LOCAL_AWS, localDynamoClient } from '../../local/clients.ts';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { startLocalStack } from '../../local/stack.ts';
import { createTestTables, scanAll } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';
import { waitFor } from '../support/wait.ts';

/** A finalization between two fresh users: one activity each, one win and one loss. */
function match(tag: string) {
  const [winner, loser] = [`${tag}w`, `${tag}l`];
  return exampleDetail('MatchFinalized', {
    tournamentId: `${tag}t`,
    matchId: `${tag}m`,
    participantUserIds: [winner, loser],
    winnerUserIds: [winner],
  });
}

describe('DynamoDB Local killed with SIGKILL in the middle of a stream of events', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const step of cleanups.reverse()) await step();
  });

  it('loses and doubles nothing: exhausted deliveries are dead letters, and a redrive completes them', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'tpi-kill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let engine: DynamoDbLocal = await startDynamoDbLocal({ port, dataDir });
    const lines: string[] = [];
    cleanups.push(() => engine.stop());
    const stack = await startLocalStack({
      port: 0,
      dynamodbEndpoint: engine.endpoint,
      tablePrefix: 'kill-',
      flag: 'on',
      deliveryAttempts: 3,
      retryBaseMs: 100,
      log: (line) => lines.push(line),
    });
    cleanups.push(() => stack.stop());
    const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
    cleanups.push(() => eventBridge.destroy());
    const publish = async (tags: string[]) => {
      for (let i = 0; i < tags.length; i += 10) {
        const Entries = tags.slice(i, i + 10).map((tag) => ({
          EventBusName: stack.busName,
          Source: stack.eventSource,
          DetailType: 'MatchFinalized',
          Detail: JSON.stringify(match(tag)),
        }));
        const response = await eventBridge.send(new PutEventsCommand({ Entries }));
        expect(response.FailedEntryCount).toBe(0);
      }
    };
    const tags = (phase: string) => Array.from({ length: 15 }, (_, i) => `k${phase}${i}`);

    // Act
    await publish(tags('a'));
    // Kill it while the first events may still be in flight, then keep publishing into the outage.
    engine.process.kill('SIGKILL');
    await publish(tags('b'));
    // Restart only once deliveries have run out of attempts during the outage, however long that takes.
    await waitFor('a delivery to give up while DynamoDB Local is down', () =>
      lines.some((line) => /^failed .*not delivered after 3 attempts/.test(line)),
    );
    engine = await startDynamoDbLocal({ port, dataDir });
    await publish(tags('c'));
    await stack.settled();

    const target = await resolveTarget({ endpoint: stack.endpoint });
    cleanups.push(() => target.close());
    const failed = (await listDeadLetters(target)).filter((l) => l.kind === 'delivery-failed');
    const results = await redrive(target);
    await stack.settled();

    // Assess
    expect(failed.length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === 'redriven')).toBe(true);
    const all = [...tags('a'), ...tags('b'), ...tags('c')];
    const items = await scanAll(target.doc, stack.tables.activities);
    const keys = items.map((item) => `${item.userId}|${item.idempotencyKey}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(all.length * 2);
    const reader = new ProfileReader(target.doc, {
      activities: stack.tables.activities,
      stats: stack.tables.stats,
    });
    for (const tag of all) {
      const { winRate: _w, ...winner } = await reader.stats(`${tag}w`);
      const mine = items.filter((item) => item.userId === `${tag}w`).map(statsActivityOfItem);
      expect(winner, tag).toMatchObject(statsOf(`${tag}w`, mine));
      expect(winner.matchesWon, tag).toBe(1);
    }
    expect((await listDeadLetters(target)).filter((l) => l.kind === 'delivery-failed')).toEqual([]);
    console.log(
      `reliability kill: ${JSON.stringify({ events: all.length, deliveryFailed: failed.length, redriven: results.length, activities: keys.length, losses: all.length * 2 - keys.length, doubles: keys.length - new Set(keys).size })}`,
    );
  }, 600_000);
});

/** Fails the next `count` requests of a client with `fault`, inside the SDK's retry loop. */
function injectFaults(client: DynamoDBClient, count: number, fault: () => Error): { seen: () => number } {
  let remaining = count;
  let seen = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      seen += 1;
      if (remaining > 0) {
        remaining -= 1;
        throw fault();
      }
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'injectedFaults' },
  );
  return { seen: () => seen };
}

describe('throttling and 5xx answers injected in the DynamoDB client middleware', () => {
  const throttle = () =>
    new ProvisionedThroughputExceededException({
      message: 'injected throttle',
      $metadata: { httpStatusCode: 400 },
    });
  const serverError = () =>
    new InternalServerError({ message: 'injected 500', $metadata: { httpStatusCode: 500 } });

  it.each([
    ['2 throttles (absorbed by the SDK retries)', 2, throttle],
    ['7 throttles (the invocation fails and is retried)', 7, throttle],
    ['2 server errors', 2, serverError],
    ['7 server errors', 7, serverError],
  ] as const)('after %s the event is recorded once and correct', async (_name, count, fault) => {
    const tables = await createTestTables();
    const client = localDynamoClient(tables.endpoint);
    const faults = injectFaults(client, count, fault);
    const doc = documentClient(client);
    const record = createRecordHandler(
      recordingDependencies({
        client: doc,
        tables: tables.names,
        flag: new FixedFlag('on'),
        writeConcurrency: 1,
      }),
    );
    const detail = match(`f${count}${fault().name.slice(0, 3)}`);
    let invocations = 0;
    let outcome: Awaited<ReturnType<typeof record>> | undefined;
    // Up to three invocations, as Lambda retries an asynchronous invocation twice.
    while (!outcome && invocations < 3) {
      invocations += 1;
      outcome = await record(bridgeEvent('MatchFinalized', detail)).catch(() => undefined);
    }
    expect(outcome).toMatchObject({ status: 'processed' });
    expect(faults.seen()).toBeGreaterThan(count);
    const items = await scanAll(tables.doc, tables.names.activities);
    expect(items.map((i) => i.userId).sort()).toEqual((detail.participantUserIds as string[]).slice().sort());
    expect(await record(bridgeEvent('MatchFinalized', detail))).toMatchObject({ recorded: 0, duplicates: 2 });
    client.destroy();
  });
});
