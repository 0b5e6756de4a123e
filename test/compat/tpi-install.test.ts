import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
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

// The packed CLI (`npx tpi` in a project that installed tournament-profile-cli) is tested with the
// other packages, in test/package/pack.test.ts.
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
});
