import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What to do when a client is missing: the suite fails with this instead of passing silently. */
const INSTALL_HINT =
  'run .ci/run (it installs them), or: apt-get update && apt-get install -y awscli python3-boto3 python3-jsonschema';

/**
 * What EventBridge answers, entry by entry, to the mixed batch both clients send: a valid entry, a
 * detail that is not an object, a reserved source, another region's bus, a detail nested 5,000
 * deep, and an entry without a bus name (the default bus). Four of the six fail.
 */
export const MIXED_BATCH_ANSWERS = [
  'EventId',
  'MalformedDetail',
  'NotAuthorizedForSourceException',
  'ResourceNotFoundException',
  'MalformedDetail',
  'EventId',
] as const;

/** Dummy credentials and no shared config: nothing here can reach a real account. */
export const CLIENT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1',
  AWS_PAGER: '',
};

function probe(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', env: CLIENT_ENV });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.trim();
}

/** `aws --version`, or undefined when the AWS CLI is not on the PATH. */
export const awsCliVersion = probe('aws', ['--version']);

/** A Python interpreter that imports boto3 and jsonschema (the PATH's, else Debian's), or undefined. */
export const pythonWithBoto3 = ['python3', '/usr/bin/python3'].find(
  (python) => probe(python, ['-c', 'import boto3, jsonschema']) !== undefined,
);

/** Throws, naming what is missing and how to install it, when the AWS CLI or boto3 is absent. */
export function requireClients(): void {
  const missing = [
    ...(awsCliVersion ? [] : ['the AWS CLI (`aws`)']),
    ...(pythonWithBoto3 ? [] : ['python3 with boto3 and jsonschema']),
  ];
  if (missing.length > 0)
    throw new Error(
      `${missing.join(' and ')} not found: this suite drives the local stack with them; ${INSTALL_HINT}`,
    );
}

/** The outcome of one client run. */
export interface ClientRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runClient(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ClientRun> {
  try {
    const { stdout, stderr } = await run(command, args, {
      env: { ...CLIENT_ENV, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs `aws --endpoint-url ENDPOINT --output json ARGS...` with dummy credentials. */
export function awsCli(endpoint: string, ...args: string[]): Promise<ClientRun> {
  requireClients();
  return runClient('aws', ['--endpoint-url', endpoint, '--output', 'json', ...args]);
}

/** The error code an AWS CLI failure printed (`An error occurred (Code) when calling ...`). */
export function cliErrorCode(result: ClientRun): string | undefined {
  return /An error occurred \(([A-Za-z]+)\)/.exec(result.stderr)?.[1];
}

/** Runs a script of test/compat/python with boto3 pointed at `endpoint`; parses its JSON output. */
export async function python<T>(endpoint: string, script: string, ...args: string[]): Promise<T> {
  requireClients();
  const result = await runClient(
    pythonWithBoto3 as string,
    [join(import.meta.dirname, 'python', script), ...args],
    {
      TPI_ENDPOINT_URL: endpoint,
    },
  );
  if (result.code !== 0) throw new Error(`${script} exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Writes `content` to a new temporary file and returns its path (for `file://` arguments). */
export function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tpi-compat-')), name);
  writeFileSync(path, content);
  return path;
}
