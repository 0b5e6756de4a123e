import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DiscardResult } from '../../bin/cli/discard.ts';
import { DynamoDeadLetterWriter } from '../../lambda/shared/aws/dead-letters.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { type DeadLetter, deadLetterFor } from '../../lambda/shared/contract/dead-letter.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { bridgeEvent, exampleDetail, fresh } from '../support/events.ts';
import { publishTo, tpi } from '../support/local-stack.ts';

let stack: LocalStack;
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `discard${randomUUID().slice(0, 8)}-`,
  });
});

afterAll(async () => {
  await stack?.stop();
});

/** A check-in without its users: the recorder stores it as an invalid dead letter. */
function brokenCheckIn(registrationId: string) {
  const { userIds: _none, ...detail } = exampleDetail('CheckInToggled', { registrationId });
  return { detailType: 'CheckInToggled', detail };
}

async function deadLetters(): Promise<DeadLetter[]> {
  const { stdout } = await tpi(stack, 'dead-letters', 'list', '--json');
  return JSON.parse(stdout).items;
}

const naming = (registrationId: string) => (letters: DeadLetter[]) =>
  letters.find((l) => l.event.includes(`"${registrationId}"`));

/** A dead letter stored `daysAgo` days ago, written as the recorder or the bus writes them. */
async function storedDaysAgo(kind: DeadLetter['kind'], daysAgo: number): Promise<DeadLetter> {
  const at = new Date(Date.now() - daysAgo * DAY);
  const event = bridgeEvent(
    'CheckInToggled',
    exampleDetail('CheckInToggled', { registrationId: fresh('old') }),
  );
  const letter = deadLetterFor({ ...event, time: at.toISOString() }, kind, ['a reason'], at);
  const dynamo = localDynamoClient(stack.dynamodbEndpoint);
  try {
    await new DynamoDeadLetterWriter(documentClient(dynamo), stack.tables.deadLetters).put(letter);
  } finally {
    dynamo.destroy();
  }
  return letter;
}

describe('tpi dead-letters discard', () => {
  it('discards one dead letter by id and says how to replay its event, which the archive still holds', async () => {
    // Prepare
    const registrationId = fresh('reg');
    await publishTo(stack, [brokenCheckIn(registrationId)]);
    await stack.settled();
    const letter = naming(registrationId)(await deadLetters());
    expect(letter?.kind).toBe('invalid');

    // Act
    const discarded = await tpi(stack, 'dead-letters', 'discard', '--id', letter?.deadLetterId as string);

    // Assess: gone from the dead letters, and the printed replay brings the event back from the archive
    expect(discarded.code, discarded.stderr).toBe(0);
    expect(discarded.stdout).toMatch(/^discarded +invalid:\S+ +CheckInToggled/m);
    expect(discarded.stdout).toMatch(/the event stays in the bus archive: tpi replay --from \S+ --to \S+/);
    expect(discarded.stdout).toContain('only the dead letters are gone, the events stay in the bus archive');
    expect(naming(registrationId)(await deadLetters())).toBeUndefined();
    const [, from, to] = /tpi replay --from (\S+) --to (\S+)/.exec(discarded.stdout) ?? [];
    const replayed = await tpi(stack, 'replay', '--from', from as string, '--to', to as string);
    expect(replayed.code, replayed.stderr).toBe(0);
    await stack.settled();
    expect(naming(registrationId)(await deadLetters())?.deadLetterId).toBe(letter?.deadLetterId);
  });

  it('with --all-invalid --older-than 30d discards only invalid dead letters stored before then', async () => {
    // Prepare: an old invalid one, a recent invalid one, an old undeliverable one
    const old = await storedDaysAgo('invalid', 40);
    const recent = await storedDaysAgo('invalid', 2);
    const undeliverable = await storedDaysAgo('delivery-failed', 40);

    // Act
    const run = await tpi(stack, 'dead-letters', 'discard', '--all-invalid', '--older-than', '30d', '--json');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as DiscardResult[];
    expect(results.map((r) => [r.deadLetterId, r.status])).toEqual([[old.deadLetterId, 'discarded']]);
    expect(results[0]?.replay.from).toBe(new Date(Date.parse(old.storedAt)).toISOString());
    const left = (await deadLetters()).map((l) => l.deadLetterId);
    expect(left).toEqual(expect.arrayContaining([recent.deadLetterId, undeliverable.deadLetterId]));
    expect(left).not.toContain(old.deadLetterId);
  });

  it('refuses an ambiguous or empty selection as a usage error, and an unknown id as a failure', async () => {
    expect((await tpi(stack, 'dead-letters', 'discard')).code).toBe(2);
    expect((await tpi(stack, 'dead-letters', 'discard', '--id', 'x', '--all-invalid')).code).toBe(2);
    expect((await tpi(stack, 'dead-letters', 'discard', '--id', 'x', '--older-than', '30d')).code).toBe(2);
    expect((await tpi(stack, 'dead-letters', 'list', '--all-invalid')).stderr).toContain(
      '--all-invalid belongs to discard, not list',
    );
    const unknown = await tpi(stack, 'dead-letters', 'discard', '--id', 'invalid:nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no dead letter invalid:nope: list them with `tpi dead-letters list`');
  });
});
