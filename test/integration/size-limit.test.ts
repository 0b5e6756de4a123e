import { readFileSync } from 'node:fs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveEntry } from '../../bin/cli/operations.ts';
import { putEntries } from '../../bin/cli/publishing.ts';
import { TournamentEventPublisher } from '../../lambda/publisher/index.ts';
import type { RecordSummary } from '../../lambda/recording/adapters/telemetry.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import { DynamoDeadLetterWriter } from '../../lambda/shared/aws/dead-letters.ts';
import { type DeadLetter, deadLetterFor } from '../../lambda/shared/contract/dead-letter.ts';
import type { BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { MAX_DETAIL_BYTES } from '../../lambda/shared/contract/limits.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';
import { createTestTables, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent } from '../support/events.ts';
import { FixedFlag } from '../support/flag.ts';

let db: TestTables;
let endpoint: LocalEndpoint;
let eventBridge: EventBridgeClient;
let publisher: TournamentEventPublisher;
/** What the recorder made of each event the endpoint accepted, in arrival order. */
const outcomes: Promise<RecordSummary>[] = [];
const delivered: BridgeEvent[] = [];

beforeAll(async () => {
  db = await createTestTables();
  const record = createRecordHandler(
    recordingDependencies({
      client: db.doc,
      tables: db.names,
      flag: new FixedFlag('on'),
    }),
  );
  endpoint = await startLocalEndpoint({
    onEvents: (events) => {
      for (const event of events) {
        delivered.push(event);
        outcomes.push(record(event));
      }
    },
  });
  eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: endpoint.url, maxAttempts: 1 });
  publisher = new TournamentEventPublisher({ client: eventBridge, eventBusName: 'tournaments', safe: true });
}, 180_000);

afterAll(async () => {
  eventBridge?.destroy();
  await endpoint?.close();
});

/** User `i` of a detail tagged `tag`: 64 characters, the longest id the contract allows. */
const userOf = (tag: string, i: number) => `${tag}-${String(i).padStart(63 - tag.length, '0')}`;

/** The largest contract detail: 1,000 participants and 1,000 winners of 64 characters, padded to `bytes`. */
function detailOf(bytes: number, tag: string): Record<string, unknown> {
  const users = Array.from({ length: 1000 }, (_, i) => userOf(tag, i));
  const detail: Record<string, unknown> = {
    tournamentId: `${tag}-tournament`,
    occurredAt: '2026-05-03T18:00:00Z',
    participantUserIds: users,
    winnerUserIds: users,
    notes: '',
  };
  detail.notes = 'n'.repeat(bytes - Buffer.byteLength(JSON.stringify(detail), 'utf8'));
  expect(Buffer.byteLength(JSON.stringify(detail), 'utf8')).toBe(bytes);
  return detail;
}

/** Waits for the recorder's outcome of the next event the endpoint delivers. */
async function nextOutcome(before: number): Promise<RecordSummary> {
  const deadline = Date.now() + 120_000;
  while (outcomes.length <= before) {
    if (Date.now() > deadline) throw new Error('the endpoint delivered no event within two minutes');
    await new Promise((r) => setTimeout(r, 20));
  }
  return outcomes[before] as Promise<RecordSummary>;
}

describe('the detail size limit, end to end', () => {
  it('is stated alike in the contract doc and every JSON Schema', () => {
    const limit = MAX_DETAIL_BYTES.toLocaleString('en-US');
    expect(readFileSync('docs/contract.md', 'utf8')).toContain(`${limit} bytes`);
    const schema = JSON.parse(readFileSync('schemas/TournamentCompleted.json', 'utf8'));
    expect(schema.description).toContain(`at most ${MAX_DETAIL_BYTES} bytes`);
  });

  it('lets the largest allowed detail with 1,000 users of 64-character ids through the publisher and records it for all', async () => {
    const before = outcomes.length;
    const result = await publisher.publish('TournamentCompleted', detailOf(MAX_DETAIL_BYTES, 'at') as never);
    expect(result.failed).toEqual([]);
    expect(await nextOutcome(before)).toMatchObject({ status: 'processed', recorded: 1000, conflicts: 0 });
    const last = userOf('at', 999);
    expect(last).toHaveLength(64);
    const { Item } = await db.doc.send(
      new GetCommand({
        TableName: db.names.activities,
        Key: { userId: last, idempotencyKey: 'tournament_completed:at-tournament:completed' },
      }),
    );
    expect(Item?.role).toBe('winner');
  }, 180_000);

  it('refuses one byte more in the publisher, and dead-letters it whole in the recorder, ready to redrive', async () => {
    // Act and assess: the publisher refuses a detail one byte over the limit
    const over = detailOf(MAX_DETAIL_BYTES + 1, 'over');
    const result = await publisher.publish('TournamentCompleted', over as never);
    expect(result.failed[0]).toMatchObject({ errorCode: 'ValidationError', attempts: 0 });
    expect(result.failed[0]?.errorMessage).toContain(`${MAX_DETAIL_BYTES}`);

    // Act and assess: a publisher that skips the check: EventBridge takes up to 1 MB, so the bus
    // accepts it, and the recorder dead-letters it
    const before = outcomes.length;
    const entry = {
      EventBusName: 'tournaments',
      Source: 'tournaments',
      DetailType: 'TournamentCompleted',
      Detail: JSON.stringify(over),
    };
    expect((await putEntries(eventBridge, [entry]))[0]?.ok).toBe(true);
    const outcome = await nextOutcome(before);
    expect(outcome).toMatchObject({ status: 'invalid' });
    expect(outcome.status === 'invalid' && outcome.reasons.join()).toContain(
      `more than the ${MAX_DETAIL_BYTES}`,
    );

    // Act and assess: the dead letter redrives as the same entry, and the bus accepts it
    const { Item } = await db.doc.send(
      new GetCommand({
        TableName: db.names.deadLetters,
        Key: { deadLetterId: outcome.status === 'invalid' ? outcome.deadLetterId : '' },
      }),
    );
    const again = redriveEntry(Item as DeadLetter, 'tournaments');
    expect(again).toMatchObject({ Detail: JSON.stringify(over) });
    const [redriven] = await putEntries(eventBridge, [again as typeof entry]);
    expect(redriven?.ok).toBe(true);
  }, 180_000);

  it('keeps a delivery-failed event at the limit whole in its dead letter, so redrive sends it again', async () => {
    const event = bridgeEvent('TournamentCompleted', detailOf(MAX_DETAIL_BYTES, 'df'), {
      'replay-name': 'r'.repeat(64),
    });
    const letter = deadLetterFor(
      event,
      'delivery-failed',
      ['not delivered after 3 attempts: timeout'],
      new Date(),
    );
    const store = new DynamoDeadLetterWriter(db.doc, db.names.deadLetters);
    await store.put(letter);
    const entry = redriveEntry(letter, 'tournaments');
    expect(entry).toMatchObject({ DetailType: 'TournamentCompleted', Detail: JSON.stringify(event.detail) });
    const [result] = await putEntries(eventBridge, [entry as never]);
    expect(result?.ok).toBe(true);
  });

  it('names the replay window for an event too large for any dead letter', () => {
    const event = bridgeEvent(
      'TournamentCompleted',
      { padding: 'x'.repeat(600_000) },
      { time: '2026-05-03T18:00:07Z' },
    );
    const letter = deadLetterFor(event, 'invalid', ['detail: too large'], new Date('2026-05-03T18:00:09Z'));
    expect(redriveEntry(letter, 'tournaments')).toEqual({
      error: expect.stringContaining(
        'tpi replay --from 2026-05-03T18:00:07.000Z --to 2026-05-03T18:01:07.000Z',
      ),
    });
  });

  it('lists at most 20 reasons in a dead letter, so one naming 1,000 bad ids still fits', async () => {
    const reasons = Array.from(
      { length: 1000 },
      (_, i) => `detail.participantUserIds.${i}: must be an id ${'x'.repeat(600)}`,
    );
    const event = bridgeEvent('TournamentCompleted', detailOf(MAX_DETAIL_BYTES, 'rs'));
    const letter = deadLetterFor(event, 'invalid', reasons, new Date());
    expect(letter.reasons).toHaveLength(21);
    expect(letter.reasons.at(-1)).toBe('… and 980 more reasons of the same event');
    await new DynamoDeadLetterWriter(db.doc, db.names.deadLetters).put(letter);
  });
});
