import { PassThrough, Readable } from 'node:stream';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../bin/cli/publish.ts';
import { putEntries, readRecords } from '../../bin/cli/publishing.ts';
import type { Target } from '../../bin/cli/target.ts';
import { acceptEvent, type BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';
import { exampleDetail } from '../support/events.ts';

let endpoint: LocalEndpoint;
let client: EventBridgeClient;
const received: BridgeEvent[] = [];
let unknownCodeAttempts = 0;

beforeAll(async () => {
  endpoint = await startLocalEndpoint({
    onEvents: (events) => received.push(...events),
    // Entries whose detail asks for it fail with a throttling code on their first attempt only.
    failEntry: (entry, attempt) => {
      if (entry.Detail?.includes('"unknownCode"')) {
        unknownCodeAttempts += 1;
        return { errorCode: 'SomeFutureError', errorMessage: 'not a documented code' };
      }
      return entry.Detail?.includes('"flaky"') && attempt === 1
        ? { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }
        : undefined;
    },
  });
  client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: endpoint.url, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

async function collect(chunks: string[]): Promise<{ number: number; text: string }[]> {
  const records = [];
  for await (const record of readRecords(Readable.from(chunks.map((c) => Buffer.from(c)))))
    records.push(record);
  return records;
}

describe('reading publish input', () => {
  it('splits a JSON array into elements even when chunks cut through strings and objects', async () => {
    const records = await collect(['  [{"a":"x,]', '}"}, {"b":[1,', '2]},', '\n{"c":"\\"}"}]']);
    expect(records.map((r) => [r.number, JSON.parse(r.text)])).toEqual([
      [1, { a: 'x,]}' }],
      [2, { b: [1, 2] }],
      [3, { c: '"}' }],
    ]);
  });

  it('numbers JSON Lines by line, skipping blank lines, with a last line lacking a newline', async () => {
    const records = await collect(['{"a":1}\n\n{"b"', ':2}\n{"c":3}']);
    expect(records).toEqual([
      { number: 1, text: '{"a":1}', kind: 'line' },
      { number: 3, text: '{"b":2}', kind: 'line' },
      { number: 4, text: '{"c":3}', kind: 'line' },
    ]);
  });

  it('refuses an array the input ends inside', async () => {
    await expect(collect(['[{"a":1},'])).rejects.toThrow(/not closed/);
  });
});

describe('publishing through the local endpoint', () => {
  it('resends only the entries that failed with a retryable code, and keeps permanent failures', async () => {
    const before = received.length;
    const entry = (detail: unknown) => ({
      EventBusName: 'tournaments',
      Source: 'tournaments',
      DetailType: 'CheckInToggled',
      Detail: JSON.stringify(detail),
    });
    const results = await putEntries(
      client,
      [entry({ n: 1 }), entry({ n: 2, flaky: true }), { ...entry({}), Detail: 'nope' }],
      {
        retryBaseMs: 1,
      },
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.errorCode))).toEqual(['ok', 'ok', 'MalformedDetail']);
    // Entry 1 was accepted once, entry 2 on its second attempt: two events, no duplicate of the first.
    expect(received.slice(before).map((e) => e.detail)).toEqual([{ n: 1 }, { n: 2, flaky: true }]);
  });

  it('reports an entry failing with a code AWS does not document as retryable without resending it', async () => {
    const [result] = await putEntries(
      client,
      [{ EventBusName: 'tournaments', Source: 'tournaments', DetailType: 'X', Detail: '{"unknownCode":1}' }],
      { retryBaseMs: 1 },
    );
    expect(result).toMatchObject({ ok: false, errorCode: 'SomeFutureError' });
    expect(unknownCodeAttempts).toBe(1);
  });

  it('passes the game of every record form through `tpi publish` as written', async () => {
    // Prepare: a {detailType, detail} record with a numeric game, a PutEvents entry with a named one
    const before = received.length;
    const detail = exampleDetail('MatchFinalized', { gameId: 7 });
    const lines = [
      JSON.stringify({ detailType: 'MatchFinalized', detail }),
      JSON.stringify({
        DetailType: 'MatchFinalized',
        Detail: JSON.stringify({ ...detail, gameId: 'valorant' }),
      }),
    ];
    const target = { eventBridge: client, eventSource: 'tournaments', busName: 'tournaments' } as Target;
    // Act
    const report = await publish(target, {
      file: '-',
      stdin: Readable.from([`${lines.join('\n')}\n`]),
      stderr: new PassThrough(),
    });
    await new Promise((r) => setImmediate(r));
    // Assess
    expect(report).toMatchObject({ read: 2, accepted: 2, failed: 0 });
    const events = received.slice(before);
    expect(events.map((e) => (e.detail as { gameId: unknown }).gameId).sort()).toEqual([7, 'valorant']);
    expect(events.map((e) => acceptEvent(e).detail.gameId).sort()).toEqual(['7', 'valorant']);
  });

  it('turns accepted entries into real-shaped EventBridge events', async () => {
    const before = received.length;
    await putEntries(client, [
      { EventBusName: 'tournaments', Source: 'tournaments', DetailType: 'CheckInToggled', Detail: '{"x":1}' },
    ]);
    await new Promise((r) => setImmediate(r));
    const [event] = received.slice(before);
    expect(event).toMatchObject({
      version: '0',
      id: expect.any(String),
      'detail-type': 'CheckInToggled',
      source: 'tournaments',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail: { x: 1 },
    });
    expect(event?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});
