import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { exampleDetail, fresh } from '../support/events.ts';

let stack: LocalStack;
const lines: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'tpi-publish-check-'));

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `pubcheck${randomUUID().slice(0, 8)}-`,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `tpi publish` in process against the stack, with `stdin` as standard input. */
async function tpiPublish(args: string[], stdin = '') {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  let out = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.resume();
  const code = await main(['publish', ...args, '--endpoint', stack.endpoint], {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(stdin)]),
  });
  return { code, stdout: out };
}

/** A check-in of one fresh registration, as a `{detailType, detail}` record. */
const checkIn = (registrationId = fresh('reg')) => ({
  detailType: 'CheckInToggled',
  detail: exampleDetail('CheckInToggled', { registrationId, userIds: [fresh('u')] }),
});

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** Outcome lines the stack logged for a registration. */
const loggedFor = (registrationId: string) => lines.filter((l) => l.includes(`:${registrationId}:`));

describe('tpi publish checks every record against the contract before sending any', () => {
  it('refuses a file with a misspelled type, naming the line and the type meant, and sends nothing', async () => {
    // Prepare: a valid line, the misspelling on line 2, another valid line
    const [first, last] = [checkIn(), checkIn()];
    const typo = { ...checkIn(), detailType: 'CheckInToggle' };
    const input = file('typo.jsonl', [first, typo, last].map((r) => JSON.stringify(r)).join('\n'));

    // Act
    const { code, stdout } = await tpiPublish([input]);
    await stack.settled();

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain('refused: 1 of 3 records break the contract; nothing was sent');
    expect(stdout).toMatch(
      /^ {2}line 2: detail-type: "CheckInToggle" is not one of the contract's event types; did you mean "CheckInToggled"\?$/m,
    );
    expect(stdout).toContain('--no-validate');
    expect(loggedFor(first.detail.registrationId as string)).toEqual([]);
    expect(loggedFor(last.detail.registrationId as string)).toEqual([]);
  });

  it('names the array element and the recorder’s own reason for a detail that breaks a rule', async () => {
    // Prepare: a winner who did not play, in element 2
    const finalization = {
      detailType: 'MatchFinalized',
      detail: exampleDetail('MatchFinalized', { winnerUserIds: ['not-a-player'] }),
    };
    const input = file('rule.json', JSON.stringify([checkIn(), finalization]));

    // Act
    const { code, stdout } = await tpiPublish([input, '--json']);

    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ refused: true, invalid: 1, accepted: 0, numbering: 'element' });
    expect(report.firstInvalid).toEqual([
      { number: 2, reasons: [expect.stringMatching(/^detail\.winnerUserIds.*not-a-player/)] },
    ]);
  });

  it('refuses records for another bus or source, which no rule of the stack would receive', async () => {
    const entry = (overrides: Record<string, unknown>) =>
      JSON.stringify({
        Source: 'tournaments',
        DetailType: 'CheckInToggled',
        Detail: checkIn().detail,
        EventBusName: 'tournaments',
        ...overrides,
      });
    const input = file(
      'elsewhere.jsonl',
      [entry({ EventBusName: 'default' }), entry({ Source: 'shop' })].join('\n'),
    );

    const { code, stdout } = await tpiPublish([input]);

    expect(code).toBe(1);
    expect(stdout).toMatch(/line 1: EventBusName: "default" is not the stack's bus "tournaments"/);
    expect(stdout).toMatch(/line 2: source: expected "tournaments", got "shop"/);
  });

  it('checks standard input too, and then sends it all once it passes', async () => {
    // Prepare
    const records = [checkIn(), checkIn()];

    // Act
    const { code, stdout } = await tpiPublish(['-'], records.map((r) => JSON.stringify(r)).join('\n'));
    await stack.settled();

    // Assess
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^2 accepted, 0 failed, 0 skipped/);
    for (const r of records) expect(loggedFor(r.detail.registrationId as string)).toHaveLength(1);
  });

  it('sends the file as it is with --no-validate: the misspelled type is dropped by the bus', async () => {
    // Prepare
    const valid = checkIn();
    const typo = { ...checkIn(), detailType: 'CheckInToggle' };
    const input = file('typo-sent.jsonl', [valid, typo].map((r) => JSON.stringify(r)).join('\n'));

    // Act
    const { code, stdout } = await tpiPublish([input, '--no-validate']);
    await stack.settled();

    // Assess: both accepted by PutEvents, as AWS accepts them; the stack says what became of each
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^2 accepted, 0 failed/);
    expect(loggedFor(valid.detail.registrationId as string)).toEqual([expect.stringMatching(/^recorded/)]);
    expect(lines).toContainEqual(expect.stringMatching(/^dropped +CheckInToggle .*no rule matched/));
  });
});
