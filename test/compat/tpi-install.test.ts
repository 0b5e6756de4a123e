import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedLoggedStack } from './local-stack.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const tpiScript = join(repo, 'bin/tpi.js');

const local = sharedLoggedStack({ statistics: false });
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tpi-install-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function exec(command: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A project that depends on the packed package, installed with `npm ci --offline`. The registry is
 * out of reach here, so its lockfile is this repository's, minus development dependencies: npm
 * takes every dependency from its cache, as `npm install` would after downloading them.
 */
function consumerProject(tarball: string): string {
  const dir = join(work, 'consumer');
  mkdirSync(dir);
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  const self = lock.packages[''];
  const dependency = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': {
      name: 'consumer',
      version: '1.0.0',
      dependencies: { [self.name ?? 'tournament-profile-integration']: dependency },
    },
    'node_modules/tournament-profile-integration': {
      version: self.version,
      resolved: dependency,
      dependencies: self.dependencies,
      bin: self.bin,
      engines: self.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>))
    if (path !== '' && !entry.dev) packages[path] = entry;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      private: true,
      dependencies: { 'tournament-profile-integration': dependency },
    }),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
  return dir;
}

// npm pack and an offline install of the dependencies take a minute or more on a busy machine.
describe('tpi as an installed command', { timeout: 600_000 }, () => {
  it('runs from another directory, through a symlink outside the repository, with global options anywhere', async () => {
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const before = await exec(
      process.execPath,
      [tpiScript, '--endpoint', local.stack.endpoint, 'flag', 'get', '--json'],
      elsewhere,
    );
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ value: 'on', mode: 'on' });

    const link = join(elsewhere, 'tpi');
    symlinkSync(tpiScript, link);
    const after = await exec(link, ['flag', '--json', 'get', '--endpoint', local.stack.endpoint], elsewhere);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(before.stdout));
  });

  it('runs as `npx tpi` in a project that installed the packed package', async () => {
    // Prepare: the packed package installed in a consumer project
    const packed = await exec('npm', ['pack', '--pack-destination', work, repo], work);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
    const project = consumerProject(tarball);
    const installed = await exec(
      'npm',
      ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
      project,
    );
    expect(installed.code, installed.stderr).toBe(0);

    // Act and assess: help, then a command against the local stack
    const help = await exec('npx', ['--offline', 'tpi', '--help'], project);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tpi COMMAND/);
    const flag = await exec(
      'npx',
      ['--offline', 'tpi', '--endpoint', local.stack.endpoint, 'flag', 'get', '--json'],
      project,
    );
    expect(flag.code, flag.stderr).toBe(0);
    expect(JSON.parse(flag.stdout)).toMatchObject({
      parameterName: local.stack.flagParameterName,
      value: 'on',
    });
  });
});
