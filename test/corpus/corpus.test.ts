import { request } from 'node:http';
import { connect } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { deadLetterFor } from '../../lambda/shared/contract/dead-letter.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { createTestTables, scanAll, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, checkInEntry, exampleDetail } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';
import { loadCorpus } from './corpus.ts';

const corpus = loadCorpus();

describe('the bad-input corpus', () => {
  it('holds at least 60 cases, each with a reason it must be refused and the reason pattern', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    for (const c of corpus) {
      expect(c.why.length, c.name).toBeGreaterThan(10);
      expect(() => new RegExp(c.expect), c.name).not.toThrow();
    }
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });
});

describe('the recording handler given each corpus event', () => {
  let tables: TestTables;
  let record: ReturnType<typeof createRecordHandler>;

  beforeAll(async () => {
    tables = await createTestTables();
    record = createRecordHandler(
      recordingDependencies({
        client: tables.doc,
        tables: tables.names,
        flag: new FixedFlag('on'),
      }),
    );
  });

  it.each(corpus.map((c, i) => [c.name, c, i] as const))(
    'refuses %s with a readable dead letter and still records the next valid event',
    async (_name, c, i) => {
      // Act and assess: the corpus event is refused with the expected reason
      const event = bridgeEvent(c.detailType, c.detail, c.source === undefined ? {} : { source: c.source });
      const outcome = await record(event);
      expect(outcome.status).toBe('invalid');
      if (outcome.status !== 'invalid') return;
      expect(outcome.reasons.join('; ')).toMatch(new RegExp(c.expect));

      // Assess: its dead letter carries the same reasons
      const { Item } = await tables.doc.send(
        new GetCommand({
          TableName: tables.names.deadLetters,
          Key: { deadLetterId: outcome.deadLetterId },
          ConsistentRead: true,
        }),
      );
      expect(Item).toMatchObject({ kind: 'invalid', reasons: outcome.reasons });

      // Act and assess: the next valid event is recorded
      const next = await record(
        bridgeEvent(
          'CheckInToggled',
          exampleDetail('CheckInToggled', { registrationId: `next${i}`, userIds: [`next${i}`] }),
        ),
      );
      expect(next).toMatchObject({ status: 'processed', recorded: 1 });
    },
  );

  it('recorded nothing for any corpus event: only the valid events that followed them exist', async () => {
    expect((await scanAll(tables.doc, tables.names.activities)).length).toBe(corpus.length);
  });
});

describe('the local stack given the corpus through PutEvents and malformed HTTP', () => {
  let stack: LocalStack;
  let eventBridge: EventBridgeClient;
  let tables: Pick<TestTables, 'doc'>;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      dynamodbEndpoint: inject('dynamoEndpoint'),
      tablePrefix: `corpus${Date.now().toString(36)}-`,
      statistics: false,
      flag: 'on',
    });
    eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
    const created = await createTestTables();
    tables = { doc: created.doc };
  });

  afterAll(async () => {
    eventBridge?.destroy();
    await stack?.stop();
  });

  async function expectServing(registrationId: string): Promise<void> {
    const response = await eventBridge.send(
      new PutEventsCommand({ Entries: [checkInEntry(registrationId)] }),
    );
    expect(response.FailedEntryCount).toBe(0);
  }

  it('dead-letters every routable corpus event, drops what no rule matches, and records none of them', async () => {
    // Prepare: every corpus event a bus could carry, as a PutEvents entry
    const entries = corpus
      .filter((c) => {
        // Entries over EventBridge's 1 MB and details nested past what JSON.stringify can write never reach a bus.
        try {
          return JSON.stringify(c.detail ?? null).length < 900_000;
        } catch {
          return false;
        }
      })
      .map((c) => ({
        c,
        entry: {
          EventBusName: 'tournaments',
          Source: c.source ?? 'tournaments',
          DetailType: c.detailType,
          Detail: typeof c.detail === 'string' ? c.detail : JSON.stringify(c.detail),
        },
      }));

    // Act: each sent alone, then the stack left to deliver them
    const refused: string[] = [];
    const accepted: typeof entries = [];
    for (const item of entries) {
      const response = await eventBridge.send(new PutEventsCommand({ Entries: [item.entry] }));
      if (response.FailedEntryCount === 0) accepted.push(item);
      else refused.push(`${item.c.name}: ${response.Entries?.[0]?.ErrorCode}`);
    }
    await stack.settled();

    // Assess: a non-object detail is refused at the door, as EventBridge refuses it (MalformedDetail);
    // every routable event is a dead letter with its reason, and nothing is recorded
    expect(refused.every((line) => /MalformedDetail|InvalidArgument/.test(line))).toBe(true);
    let deadLettered = 0;
    for (const { c, entry } of accepted) {
      const routable =
        c.source === undefined && /^[A-Z]/.test(c.detailType) && !c.detailType.endsWith('Change');
      const { deadLetterId } = deadLetterFor(
        { source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) },
        'invalid',
        [],
        new Date(),
      );
      const { Item } = await tables.doc.send(
        new GetCommand({ TableName: stack.tables.deadLetters, Key: { deadLetterId }, ConsistentRead: true }),
      );
      if (routable) {
        expect(Item, c.name).toMatchObject({ kind: 'invalid' });
        expect(((Item?.reasons ?? []) as string[]).join('; '), c.name).toMatch(new RegExp(c.expect));
        deadLettered += 1;
      } else expect(Item, c.name).toBeUndefined();
    }
    expect(deadLettered).toBeGreaterThanOrEqual(55);
    expect((await scanAll(tables.doc, stack.tables.activities)).length).toBe(0);

    // Act and assess: a valid event afterwards is still recorded
    await expectServing('after-corpus');
    await stack.settled();
    expect((await scanAll(tables.doc, stack.tables.activities)).length).toBe(1);
  });

  /** One request on its own connection (a refused huge body must not poison a pooled socket), bounded. */
  const post = (body: string | Buffer, headers: Record<string, string>) =>
    new Promise<{ status: number; json: () => Record<string, unknown> }>((resolve, reject) => {
      const req = request(
        stack.endpoint,
        { method: 'POST', headers, agent: false, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: () => JSON.parse(Buffer.concat(chunks).toString('utf8')),
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', reject);
      req.end(body);
    });
  const putEventsHeaders = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AWSEvents.PutEvents',
  };

  it('answers malformed JSON with a SerializationException and keeps serving', async () => {
    for (const body of ['{"Entries": [', 'null', '[]', '"Entries"', '{"Entries": "all"}', '\u0000\u0001']) {
      const response = await post(body, putEventsHeaders);
      expect(response.status, body).toBeGreaterThanOrEqual(400);
      expect(response.status, body).toBeLessThan(500);
      expect(response.json(), body).toHaveProperty('__type');
    }
    await expectServing('after-bad-json');
  });

  it('refuses a body over the size limit with 413 and keeps serving', async () => {
    const response = await post(Buffer.alloc(5 * 1024 * 1024, 0x20), putEventsHeaders).catch(
      (error: Error) => error,
    );
    // The endpoint may answer before the client finished sending; either way it must not accept it.
    if (response instanceof Error) expect(response.message).toMatch(/EPIPE|ECONNRESET|socket|closed/i);
    else expect(response.status).toBe(413);
    await expectServing('after-huge-body');
  });

  it('answers a wrong content type as AWS does: by the target and body, with an AWS-shaped result', async () => {
    const response = await post(JSON.stringify({ Entries: [checkInEntry('wrong-type')] }), {
      ...putEventsHeaders,
      'content-type': 'text/plain',
    });
    // The endpoint goes by the target header and the body, as AWS does: the valid entry is accepted.
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    await expectServing('after-wrong-type');
  });

  it('keeps serving other clients while a slow client trickles its request one byte at a time', async () => {
    // Prepare: a client that sends headers, then its body one byte every 20 ms
    const { port } = new URL(stack.endpoint);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const body = JSON.stringify({ Entries: [checkInEntry('slow')] });
    socket.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n` +
        `X-Amz-Target: AWSEvents.PutEvents\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    let sent = 0;
    // One byte every 20 ms for the first bytes of the body: bounded, then the test moves on.
    const trickle = setInterval(() => {
      if (sent < 20) socket.write(body[sent++] ?? '');
    }, 20);
    let slowAnswered = false;
    socket.on('data', () => {
      slowAnswered = true;
    });
    try {
      // Act and assess: another client is served while the slow request is still incomplete
      await expectServing('during-slow-client');
      // Served while the slow request is still incomplete (its body never arrives in full).
      expect(slowAnswered).toBe(false);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }

    // Act and assess: and after it
    await expectServing('after-slow-client');
  });
});
