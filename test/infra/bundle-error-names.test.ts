import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUILD_OPTIONS } from '../../bench/lib/bundle.ts';
import { BUNDLE_TARGET } from '../../infra/bundling.ts';
import { FUNCTION_RUNTIME } from '../../infra/constructs/integration-function.ts';

const run = promisify(execFile);
const source = (path: string) => fileURLToPath(new URL(`../../lambda/${path}`, import.meta.url));

/**
 * A function entry that logs two errors through the functions' logger, as a handler does when a
 * store call fails: error classes of the errors modules, one plain subclass without a spelled name.
 */
const ENTRY = `
import { logger } from ${JSON.stringify(source('shared/aws/logger.ts'))};
import { TransientStoreError } from ${JSON.stringify(source('shared/errors.ts'))};
import { PublishValidationError } from ${JSON.stringify(source('publisher/errors.ts'))};
class UnnamedHere extends Error {}
logger.error('store call failed', new TransientStoreError('throttled; the event is retried'));
logger.error('publish refused', new PublishValidationError([]));
logger.error('plain class', new UnnamedHere('x'));
console.log(JSON.stringify({ className: UnnamedHere.name }));
`;

describe('a deployed bundle', () => {
  let dir: string;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    // Prepare: bundle as the stack bundles (minified, keepNames).
    dir = await mkdtemp(join(tmpdir(), 'bundle-names-'));
    await writeFile(join(dir, 'entry.ts'), ENTRY);
    await build({
      ...LAMBDA_BUILD_OPTIONS,
      entryPoints: [join(dir, 'entry.ts')],
      outfile: join(dir, 'index.mjs'),
    });
    // Act
    const { stdout, stderr } = await run(process.execPath, [join(dir, 'index.mjs')], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_DEV: 'false' },
    });
    // Powertools writes errors to stderr: Lambda sends both streams to the function's log group.
    lines = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is built for the runtime the functions run on', () => {
    // Assess
    expect(FUNCTION_RUNTIME.name).toBe(`nodejs${BUNDLE_TARGET.slice('node'.length)}.x`);
    expect(LAMBDA_BUILD_OPTIONS).toMatchObject({ minify: true, keepNames: true });
  });

  it('logs the real error names, minified', () => {
    // Assess
    const names = lines.filter((l) => l.error).map((l) => (l.error as { name: string }).name);
    expect(names).toEqual(['TransientStoreError', 'PublishValidationError', 'Error']);
    expect(lines.find((l) => l.className)?.className).toBe('UnnamedHere');
  });
});
