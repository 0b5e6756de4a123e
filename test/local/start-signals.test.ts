import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local.ts';
import { javaPidsOnPort } from '../support/npm-start.ts';
import { alive, listening, type ProcessInfo, processes, processGroup } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

/** `npm start` as a user, a supervisor or an IDE runs it: in a process group of its own. */
interface Started {
  readonly npm: ChildProcess;
  readonly pgid: number;
  /** npm, the node process running bin/start.ts, DynamoDB Local's JVM. */
  readonly pids: { readonly npm: number; readonly node: number; readonly java: number };
  readonly ports: readonly number[];
  readonly stderr: string[];
}

const running: Started[] = [];

async function npmStart(): Promise<Started> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const [port, dynamodbPort, apiPort] = ports.map(String) as [string, string, string];
  const npm = spawn(
    'npm',
    ['start', '--', '--port', port, '--dynamodb-port', dynamodbPort, '--api-port', apiPort],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: npm.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(line));
  createInterface({ input: npm.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line));
  const npmPid = npm.pid as number;
  const started: Started = {
    npm,
    pgid: npmPid,
    pids: { npm: npmPid, node: 0, java: 0 },
    ports,
    stderr,
  };
  running.push(started);
  await waitFor('the ready line', () => lines.some((line) => line.startsWith('ready: ')));
  const node = processes().find((p) => p.ppid === npmPid && p.command.includes('bin/start.ts'));
  const [java] = javaPidsOnPort(Number(dynamodbPort));
  return { ...started, pids: { npm: npmPid, node: node?.pid ?? 0, java: java ?? 0 } };
}

/** What is left of a start: live processes of its group or among its pids, and ports still served. */
async function leftOver(started: Started): Promise<{ processes: ProcessInfo[]; ports: number[] }> {
  const pids = Object.values(started.pids);
  const members = [...processGroup(started.pgid), ...alive(pids)];
  const unique = [...new Map(members.map((p) => [p.pid, p])).values()];
  const served = [];
  for (const port of started.ports) if (await listening(port)) served.push(port);
  return { processes: unique, ports: served };
}

afterEach(() => {
  // A failed test must not leave a stack running on the shared machine.
  for (const started of running.splice(0)) {
    try {
      process.kill(-started.pgid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (started.pids.java) {
      try {
        process.kill(started.pids.java, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

describe('`npm start` stops as a whole, whatever stops it', () => {
  it.each([
    ['SIGTERM', 'npm', 'a supervisor, an IDE or `concurrently` stopping what it started'],
    ['SIGTERM', 'group', '`kill -TERM -- -PGID`, a container stopping'],
    ['SIGINT', 'npm', 'SIGINT sent to npm alone'],
    ['SIGINT', 'group', 'Ctrl-C in the terminal'],
    ['SIGHUP', 'npm', 'the terminal closing (npm does not forward SIGHUP)'],
    ['SIGHUP', 'group', 'the terminal closing, to the whole group'],
    ['SIGKILL', 'node', 'the stack killed outright: DynamoDB Local follows it'],
  ] as const)('%s to %s (%s) leaves no process and no port behind', async (signal, target, _why) => {
    // Prepare
    const started = await npmStart();
    expect(started.pids.node, 'node runs bin/start.ts as npm’s child').toBeGreaterThan(0);
    expect(started.pids.java, 'DynamoDB Local runs').toBeGreaterThan(0);

    // Act
    if (target === 'group') process.kill(-started.pgid, signal);
    else process.kill(target === 'npm' ? started.pids.npm : started.pids.node, signal);

    // Assess: everything ends by itself; the deadline only bounds a test that already failed
    const left = await waitFor(
      'every process and port of the stack to be gone',
      async () => {
        const now = await leftOver(started);
        return now.processes.length === 0 && now.ports.length === 0 ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    ).catch(async () => leftOver(started));
    expect(left).toEqual({ processes: [], ports: [] });
    if (signal !== 'SIGKILL') expect(started.stderr.join('\n')).toMatch(/: stopping$/m);
  });
});
