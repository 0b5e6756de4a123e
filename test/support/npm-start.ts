import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { LOCAL_AWS } from '../../local/clients.ts';
import { freePort } from '../../local/dynamodb-local.ts';
import { exampleDetail, fresh } from './events.ts';
import { sharedFixture } from './shared.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

/** A PutEvents entry for the tournament bus. */
export const entry = (detailType: string, detail: Record<string, unknown>) => ({
  EventBusName: 'tournaments',
  Source: 'tournaments',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

/** Pids of Java processes serving DynamoDB Local on `port` (Linux /proc). */
export function javaPidsOnPort(port: number): number[] {
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

/**
 * Kills what is left of the stack's process group: after a test that stopped it, nothing (unless
 * stopping failed and left DynamoDB Local behind); otherwise tsx, the stack and DynamoDB Local.
 */
function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The stack as `npm start` runs it, in a child process, with what it printed and clients of it. */
interface Started {
  readonly process: ChildProcess;
  readonly endpoint: string;
  readonly dynamodbPort: number;
  readonly apiPort: number;
  readonly readyLines: readonly string[];
  readonly eventBridge: EventBridgeClient;
  readonly ssm: SSMClient;
}

/** Waits for an output line matching `pattern`; bounded because delivery is asynchronous. */
function lineIn(lines: readonly string[], pattern: RegExp): Promise<string> {
  return waitFor(`a line matching ${pattern}`, () => lines.find((line) => pattern.test(line)));
}

async function start(lines: string[]): Promise<Started> {
  const port = await freePort();
  const dynamodbPort = await freePort();
  const apiPort = await freePort();
  // Exactly what `npm start` runs (node --import tsx bin/start.ts), with free ports and a short flag cache.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
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
    // A process group of its own, so that cleanup reaches tsx, the stack and DynamoDB Local alike.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(line));
  await lineIn(lines, /^ready: /);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    process: child,
    endpoint,
    dynamodbPort,
    apiPort,
    readyLines: lines.filter((line) => line.startsWith('ready:')),
    eventBridge: new EventBridgeClient({ ...LOCAL_AWS, endpoint }),
    ssm: new SSMClient({ ...LOCAL_AWS, endpoint }),
  };
}

/** A stack started as `npm start` does, shared by a file's tests, and what they do with it. */
export interface NpmStartedStack extends Started {
  /** Every line the stack printed so far. */
  readonly lines: readonly string[];
  /** Waits for an output line matching `pattern`. */
  lineMatching(pattern: RegExp): Promise<string>;
  /** Runs the CLI as an operator would, with its JSON output. */
  tpi(...args: string[]): Promise<{ code: number; json: unknown; stderr: string }>;
  /**
   * Publishes registration changes of `user`, one at a time, until the stack logs one with a line
   * starting with `outcome` (`recorded`, `skipped`), and returns that line.
   */
  publishUntilLogged(user: string, outcome: string): Promise<string>;
}

async function tpiAt(endpoint: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      'bin/tpi.js',
      ...args,
      '--json',
      '--endpoint',
      endpoint,
    ]);
    return { code: 0, json: JSON.parse(stdout) as unknown, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: e.stdout ? (JSON.parse(e.stdout) as unknown) : undefined, stderr: e.stderr };
  }
}

/**
 * Starts the stack as `npm start` does before the file's tests and kills what is left of it after
 * them. Its members are read inside tests, once it has started.
 */
export function npmStartedStack(): NpmStartedStack {
  return sharedFixture(
    async () => {
      const lines: string[] = [];
      const started = await start(lines);
      const lineMatching = (pattern: RegExp) => lineIn(lines, pattern);
      return {
        ...started,
        lines,
        lineMatching,
        tpi: (...args: string[]) => tpiAt(started.endpoint, args),
        publishUntilLogged: (user: string, outcome: string) =>
          waitFor(`a registration change of ${user} logged as ${outcome}`, async () => {
            const registrationId = fresh('reg');
            const detail = exampleDetail('RegistrationStatusChanged', { registrationId, userIds: [user] });
            await started.eventBridge.send(
              new PutEventsCommand({ Entries: [entry('RegistrationStatusChanged', detail)] }),
            );
            const line = await lineMatching(new RegExp(`registration_status:${registrationId}:`));
            return line.startsWith(outcome) ? line : undefined;
          }),
      };
    },
    (started) => {
      started.eventBridge.destroy();
      started.ssm.destroy();
      killGroup(started.process);
    },
  );
}
