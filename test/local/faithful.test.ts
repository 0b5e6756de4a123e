import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityWriter } from '../../lambda/recording/application/ports.ts';
import { DEFAULT_FLAG_PARAMETER_NAME } from '../../lambda/shared/contract/defaults.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { sharedLoggedStack, startLoggedStack } from '../compat/local-stack.ts';
import { checkInEvent, withBus } from '../support/bus.ts';
import { checkInEntry, fresh } from '../support/events.ts';

const local = sharedLoggedStack();
let eventBridge: EventBridgeClient;
let ssm: SSMClient;

beforeAll(() => {
  eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: local.stack.endpoint, maxAttempts: 1 });
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint: local.stack.endpoint, maxAttempts: 1 });
});

afterAll(() => {
  eventBridge?.destroy();
  ssm?.destroy();
});

const nested = (levels: number) => `${'['.repeat(levels - 1)}{}${']'.repeat(levels - 1)}`;

/** Publishes one check-in and waits until the stack logged it recorded. */
async function recordedCheckIn(registrationId = fresh('probe')): Promise<string> {
  const response = await eventBridge.send(new PutEventsCommand({ Entries: [checkInEntry(registrationId)] }));
  expect(response.FailedEntryCount).toBe(0);
  return local.lineMatching(new RegExp(`^recorded .*checkin:${registrationId}:`));
}

describe('one request cannot stop the local stack or harm other clients', () => {
  it('fails an entry nested past 1,100 levels alone, accepts 1,100, and keeps every other client served', async () => {
    // Prepare: a client whose check-in is recorded
    const before = fresh('before');
    await recordedCheckIn(before);

    // Act: one request with an entry too deep, one at the limit, and a normal one
    const response = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          { ...checkInEntry(fresh('deep')), Detail: `{"a":${nested(5000)}}` },
          { ...checkInEntry(fresh('edge')), DetailType: 'DepthProbe', Detail: `{"a":${nested(1099)}}` },
          checkInEntry(fresh('beside')),
        ],
      }),
    );

    // Assess: only the deep entry fails, and the stack still serves everyone
    expect(response.Entries?.map((e) => e.ErrorCode ?? 'EventId')).toEqual([
      'MalformedDetail',
      'EventId',
      'EventId',
    ]);
    expect(response.Entries?.[0]?.ErrorMessage).toMatch(/1100 levels/);
    await local.lineMatching(new RegExp(`^dropped +DepthProbe ${response.Entries?.[1]?.EventId}`));
    await recordedCheckIn();
    // The earlier client's activity is still there: re-sending it is a duplicate, not a new record.
    await eventBridge.send(new PutEventsCommand({ Entries: [checkInEntry(before)] }));
    await local.lineMatching(new RegExp(`^duplicate .*checkin:${before}:`));
  });

  it('delivers an event whose archiving throws, logs the failure, and archives later events again', async () => {
    const archive = local.stack.archiveFile;
    rmSync(archive, { force: true });
    mkdirSync(archive); // appending to a directory throws EISDIR, as a full or broken disk would
    try {
      const unarchived = fresh('unarchived');
      await recordedCheckIn(unarchived);
      expect(await local.lineMatching(/^failed +could not archive CheckInToggled/)).toMatch(
        /a replay will not find it/,
      );
    } finally {
      rmSync(archive, { recursive: true, force: true });
    }
    await recordedCheckIn();
    expect(local.lines.filter((l) => l.startsWith('failed    could not archive'))).toHaveLength(1);
  });

  it('retries a delivery whose handler throws synchronously, keeps it as a dead letter, and records the others', async () => {
    // Prepare: a stack whose writer throws synchronously for users named boom*
    const throwing = await startLoggedStack({
      deliveryAttempts: 2,
      retryBaseMs: 10,
      wrapActivities: (writer): ActivityWriter => ({
        putIfAbsent: (activity) => {
          if (activity.userId.startsWith('boom')) throw new TypeError('writer exploded synchronously');
          return writer.putIfAbsent(activity);
        },
      }),
    });
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: throwing.stack.endpoint });
    try {
      // Act
      const [boom, calm] = [fresh('boom'), fresh('calm')];
      await client.send(new PutEventsCommand({ Entries: [checkInEntry(boom), checkInEntry(calm)] }));

      // Assess: boom is a dead letter, calm and a later event are recorded
      expect(await throwing.lineMatching(/^failed +CheckInToggled → dead letter/)).toMatch(
        /writer exploded synchronously/,
      );
      await throwing.lineMatching(new RegExp(`^recorded .*checkin:${calm}:`));
      const again = fresh('again');
      await client.send(new PutEventsCommand({ Entries: [checkInEntry(again)] }));
      await throwing.lineMatching(new RegExp(`^recorded .*checkin:${again}:`));
    } finally {
      client.destroy();
      await throwing.stack.stop();
    }
  });

  it('keeps the bus delivering when a target or an observer throws synchronously', async () => {
    // Prepare and act: a target that throws for one event, an observer that throws for another
    const problems: string[] = [];
    const delivered: string[] = [];
    const gaveUp: string[] = [];
    await withBus(
      {
        target: (event) => {
          if (event.id === 'sync-throw') throw new Error('thrown before any promise');
          return Promise.resolve(event.id);
        },
        onDelivered: (_event, outcome) => {
          delivered.push(outcome);
          if (outcome === 'observer-throws') throw new Error('observer failed');
        },
        onGiveUp: async (event) => void gaveUp.push(event.id),
        onBackgroundError: (message) => problems.push(message),
      },
      async (bus) => {
        for (const id of ['sync-throw', 'observer-throws', 'after']) bus.publish(checkInEvent(id));
        await bus.idle();
      },
    );

    // Assess
    expect(gaveUp).toEqual(['sync-throw']);
    expect(delivered.sort()).toEqual(['after', 'observer-throws']);
    expect(problems).toEqual(['reporting a delivery failed: observer failed']);
  });
});

describe('the local stack answers like AWS where no AWS client can send the request', () => {
  const raw = (target: string, body: unknown) =>
    fetch(local.stack.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body: JSON.stringify(body),
    });

  it('refuses epoch milliseconds sent as a timestamp in StartReplay and in a PutEvents Time', async () => {
    // Act: StartReplay with epoch milliseconds
    const { busArn } = { busArn: local.stack.outputs().EventBusArn };
    const replay = await raw('AWSEvents.StartReplay', {
      ReplayName: fresh('millis'),
      EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/tournaments-archive',
      EventStartTime: 1_764_000_000_000,
      EventEndTime: 1_764_100_000_000,
      Destination: { Arn: busArn },
    });

    // Assess
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ __type: 'ValidationException', message: /year 9999/ });

    // Act: a PutEvents entry whose Time is epoch milliseconds
    const put = await raw('AWSEvents.PutEvents', {
      Entries: [{ ...checkInEntry(fresh('millis')), Time: 1_764_000_000_000 }],
    });

    // Assess
    expect(await put.json()).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InvalidArgument' }],
    });
  });

  it('logs a warning for a flag the handler reads as off: a typo, and a SecureString it cannot decrypt', async () => {
    const put = (Value: string, Type?: 'String' | 'SecureString') =>
      ssm.send(new PutParameterCommand({ Name: DEFAULT_FLAG_PARAMETER_NAME, Value, Overwrite: true, Type }));
    await put('maybe');
    await local.lineMatching(/^warning .*"maybe" is misconfigured: the handler treats it as off/);
    await expect(put('on', 'SecureString')).rejects.toMatchObject({ name: 'HierarchyTypeMismatchException' });
    await put('on');
  });

  it('reads a SecureString flag as ciphertext, so as off, and says so on the log', async () => {
    // Prepare: a flag stored as SecureString (a persistent stack's parameters file): GetParameter
    // without WithDecryption returns ciphertext, which the handler treats as a misconfigured flag.
    const dataDir = mkdtempSync(join(tmpdir(), 'tpi-secure-flag-'));
    writeFileSync(
      join(dataDir, 'parameters.json'),
      JSON.stringify([
        {
          name: DEFAULT_FLAG_PARAMETER_NAME,
          value: 'on',
          type: 'SecureString',
          version: 1,
          lastModified: new Date().toISOString(),
        },
      ]),
    );
    const secure = await startLoggedStack({ dataDir, statistics: false });
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: secure.stack.endpoint });
    try {
      // Assess: the warning at start
      expect(await secure.lineMatching(/^warning .*is a SecureString/)).toMatch(
        /reads it without decryption/,
      );

      // Act
      const registrationId = fresh('secure');
      await client.send(new PutEventsCommand({ Entries: [checkInEntry(registrationId)] }));

      // Assess: the event is skipped, and the log says why
      expect(await secure.lineMatching(new RegExp(`checkin:${registrationId}:`))).toMatch(/^skipped /);
      await secure.lineMatching(/^warning +events are skipped: the flag value .* is misconfigured/);
    } finally {
      client.destroy();
      await secure.stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('shows the tables to a DynamoDB client with other credentials and another region', async () => {
    const stranger = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: local.stack.dynamodbEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const names: string[] = [];
      let ExclusiveStartTableName: string | undefined;
      do {
        const page = await stranger.send(new ListTablesCommand({ ExclusiveStartTableName }));
        names.push(...(page.TableNames ?? []));
        ExclusiveStartTableName = page.LastEvaluatedTableName;
      } while (ExclusiveStartTableName);
      expect(names).toEqual(expect.arrayContaining(Object.values(local.stack.tables)));
    } finally {
      stranger.destroy();
    }
  });
});
