import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../infra/local/clients.ts';
import { freePort } from '../../infra/local/dynamodb-local.ts';
import { DEFAULT_FLAG_PARAMETER_NAME } from '../../lambda/domain/flag.ts';
import { exampleDetail, fresh } from '../support/events.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

let stack: ChildProcess;
let endpoint: string;
let dynamodbPort: number;
let apiPort: number;
let readyLines: string[] = [];
const lines: string[] = [];
let eventBridge: EventBridgeClient;
let ssm: SSMClient;

/** Waits for a stack output line matching `pattern`; bounded because delivery is asynchronous. */
function lineMatching(pattern: RegExp): Promise<string> {
  return waitFor(`a line matching ${pattern}`, () => lines.find((line) => pattern.test(line)));
}

/** Runs the CLI as an operator would, with its JSON output. */
async function tpi(...args: string[]): Promise<{ code: number; json: unknown; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      'bin/tpi.js',
      ...args,
      '--json',
      '--endpoint',
      endpoint,
    ]);
    return { code: 0, json: JSON.parse(stdout), stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: e.stdout ? JSON.parse(e.stdout) : undefined, stderr: e.stderr };
  }
}

/** Pids of Java processes serving DynamoDB Local on `port` (Linux /proc). */
function javaPidsOnPort(port: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return (
          cmd[0]?.endsWith('java') && cmd.includes('-port') && cmd[cmd.indexOf('-port') + 1] === String(port)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  const port = await freePort();
  dynamodbPort = await freePort();
  apiPort = await freePort();
  // Exactly what `npm start` runs (tsx bin/start.ts), with free ports and a short flag cache.
  stack = spawn(
    process.execPath,
    [
      tsxCli,
      'bin/start.ts',
      '--port',
      String(port),
      '--dynamodb-port',
      String(dynamodbPort),
      '--api-port',
      String(apiPort),
      '--flag-cache-seconds',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  createInterface({ input: stack.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(line));
  await lineMatching(/^ready: /);
  readyLines = lines.filter((line) => line.startsWith('ready:'));
  endpoint = `http://127.0.0.1:${port}`;
  eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint });
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint });
});

afterAll(() => {
  eventBridge?.destroy();
  ssm?.destroy();
  if (stack && stack.exitCode === null) stack.kill('SIGKILL');
});

const entry = (detailType: string, detail: Record<string, unknown>) => ({
  EventBusName: 'tournaments',
  Source: 'tournaments',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

/**
 * Publishes registration changes of `user`, one at a time, until the stack logs one with a line
 * starting with `outcome` (`recorded`, `skipped`), and returns that line.
 */
function publishUntilLogged(user: string, outcome: string): Promise<string> {
  return waitFor(`a registration change of ${user} logged as ${outcome}`, async () => {
    const registrationId = fresh('reg');
    const detail = exampleDetail('RegistrationStatusChanged', { registrationId, userIds: [user] });
    await eventBridge.send(new PutEventsCommand({ Entries: [entry('RegistrationStatusChanged', detail)] }));
    const line = await lineMatching(new RegExp(`registration_status:${registrationId}:`));
    return line.startsWith(outcome) ? line : undefined;
  });
}

describe('the local stack started as `npm start` does', () => {
  it('prints one ready line naming its real ports, the read API last', () => {
    expect(readyLines).toEqual([
      `ready: endpoint ${endpoint} dynamodb http://127.0.0.1:${dynamodbPort} api http://127.0.0.1:${apiPort}`,
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^api: IAM mode: .*not verified locally/));
    expect(javaPidsOnPort(dynamodbPort)).toHaveLength(1);
  });

  it('records events published with the EventBridge client and shows them through the CLI', async () => {
    const [winner, loser, t] = [fresh('win'), fresh('lose'), fresh('t')];
    const finalized = exampleDetail('MatchFinalized', {
      tournamentId: t,
      matchId: fresh('m'),
      participantUserIds: [winner, loser],
      winnerUserIds: [winner],
    });
    const response = await eventBridge.send(
      new PutEventsCommand({
        Entries: [entry('MatchFinalized', finalized), entry('MatchFinalized', finalized)],
      }),
    );
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);

    let stats: Record<string, unknown> = {};
    const deadline = Date.now() + 120_000;
    while (stats.matchesWon !== 1 && Date.now() < deadline) {
      stats = (await tpi('stats', winner)).json as Record<string, unknown>;
      if (stats.matchesWon !== 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats).toMatchObject({
      userId: winner,
      matchesPlayed: 1,
      matchesWon: 1,
      matchesLost: 0,
      winRate: 1,
    });
    expect((await tpi('stats', loser)).json).toMatchObject({ matchesLost: 1, activityCount: 1 });
    // The same event sent twice is recorded once per user. The two copies are delivered
    // concurrently, so which copy records which user varies; the totals do not.
    const outcomeLines = () => lines.filter((l) => l.includes(`match_finalized:${finalized.matchId}:`));
    await lineMatching(new RegExp(`match_finalized:${finalized.matchId}:.*\\n?`));
    const deadlineForBoth = Date.now() + 120_000;
    while (outcomeLines().length < 2 && Date.now() < deadlineForBoth)
      await new Promise((r) => setTimeout(r, 25));
    const total = (word: string) =>
      outcomeLines().reduce((sum, l) => sum + Number(new RegExp(`(\\d+) ${word}`).exec(l)?.[1] ?? 0), 0);
    expect(outcomeLines()).toHaveLength(2);
    expect({
      recorded: total('recorded'),
      duplicates: total('duplicate'),
      conflicts: total('conflict'),
    }).toEqual({
      recorded: 2,
      duplicates: 2,
      conflicts: 0,
    });
  });

  it('reports per-entry failures like EventBridge and accepts the valid entries of the request', async () => {
    const valid = entry('CheckInToggled', exampleDetail('CheckInToggled', { registrationId: fresh('r') }));
    const response = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          valid,
          { Source: 'tournaments', DetailType: 'CheckInToggled' },
          { ...valid, Detail: '{"not json' },
          { ...valid, Detail: '[1, 2]' },
        ],
      }),
    );
    expect(response.FailedEntryCount).toBe(3);
    expect(response.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
    ]);
  });

  it('answers protocol errors in the AWS shape and keeps serving', async () => {
    const eleven = Array.from({ length: 11 }, () => entry('CheckInToggled', exampleDetail('CheckInToggled')));
    await expect(eventBridge.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });

    const raw = (target: string, body: string) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
      });
    const malformed = await raw('AWSEvents.PutEvents', '{"Entries": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      __type: 'SerializationException',
      message: expect.any(String),
    });
    const unknown = await raw('AWSEvents.DeleteEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const after = await eventBridge.send(
      new PutEventsCommand({ Entries: [entry('CheckInToggled', exampleDetail('CheckInToggled'))] }),
    );
    expect(after.FailedEntryCount).toBe(0);
  });

  it('skips users while the flag is off and records again once it is on, within the cache time', async () => {
    const off = await ssm.send(
      new PutParameterCommand({
        Name: DEFAULT_FLAG_PARAMETER_NAME,
        Value: 'off',
        Type: 'String',
        Overwrite: true,
      }),
    );
    expect(off.Version).toBeGreaterThan(1);
    expect((await tpi('flag', 'get')).json).toMatchObject({ value: 'off', mode: 'off' });

    // The handler may still hold the old value for up to 1 s: publish until the new one shows.
    const user = fresh('flag');
    const skipped = await publishUntilLogged(user, 'skipped');
    expect(skipped).toMatch(/0 recorded, 0 duplicate, 0 conflict, 1 skipped \(flag off\)/);

    expect((await tpi('flag', 'set', 'on')).code).toBe(0);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: DEFAULT_FLAG_PARAMETER_NAME }));
    expect(Parameter?.Value).toBe('on');
    expect(await publishUntilLogged(user, 'recorded')).toMatch(/^recorded/);
  });

  it('refuses a flag value the handler would treat as a misconfiguration (usage error)', async () => {
    const result = await tpi('flag', 'set', 'maybe');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/off, on/);
  });

  it('prints every list in one JSON shape, {items, nextCursor}', async () => {
    const user = fresh('list');
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          entry(
            'CheckInToggled',
            exampleDetail('CheckInToggled', { registrationId: fresh('r'), userIds: [user] }),
          ),
          entry('CheckInToggled', { occurredAt: 'not a time', userIds: [user] }),
        ],
      }),
    );
    await lineMatching(/^invalid +CheckInToggled/);
    const letters = await tpi('dead-letters', 'list');
    expect(letters.code, letters.stderr).toBe(0);
    expect(letters.json).toEqual({ items: expect.any(Array), nextCursor: null });
    expect((letters.json as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const page = await tpi('dead-letters', 'list', '--limit', '1');
    expect(page.code, page.stderr).toBe(0);
    expect(page.json).toEqual({ items: [expect.any(Object)], nextCursor: expect.any(String) });
    const next = await tpi(
      'dead-letters',
      'list',
      '--limit',
      '1',
      '--cursor',
      (page.json as { nextCursor: string }).nextCursor,
    );
    expect(next.code, next.stderr).toBe(0);
    expect(Object.keys(next.json as object).sort()).toEqual(['items', 'nextCursor']);
    const feed = await tpi('feed', user);
    expect(feed.code, feed.stderr).toBe(0);
    expect(Object.keys(feed.json as object).sort()).toEqual(['items', 'nextCursor']);
  });

  it('stops on SIGTERM without leaving DynamoDB Local behind', async () => {
    const java = javaPidsOnPort(dynamodbPort);
    expect(java).toHaveLength(1);
    const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(javaPidsOnPort(dynamodbPort)).toEqual([]);
    const pid = java[0] as number;
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
