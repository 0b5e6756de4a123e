import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Probe files: where each stands and what it imports; `forbidden` says whether the layers allow it. */
const PROBES: readonly { file: string; from: string; forbidden: boolean }[] = [
  { file: 'lambda/domain/probe-up.ts', from: '../application/ports.ts', forbidden: true },
  { file: 'lambda/domain/probe-adapter.ts', from: '../adapters/clients.ts', forbidden: true },
  { file: 'lambda/domain/probe-publisher.ts', from: '../publisher/retry.ts', forbidden: true },
  { file: 'lambda/domain/probe-sdk.ts', from: '@aws-sdk/client-ssm', forbidden: true },
  { file: 'lambda/domain/probe-powertools.ts', from: '@aws-lambda-powertools/logger', forbidden: true },
  { file: 'lambda/domain/probe-ok.ts', from: './stats.ts', forbidden: false },
  { file: 'lambda/application/probe-adapter.ts', from: '../adapters/stats-store.ts', forbidden: true },
  { file: 'lambda/application/probe-sdk.ts', from: '@aws-sdk/lib-dynamodb', forbidden: true },
  { file: 'lambda/application/probe-tables.ts', from: '../tables.ts', forbidden: true },
  { file: 'lambda/application/probe-ok.ts', from: '../domain/stats.ts', forbidden: false },
  { file: 'lambda/adapters/probe-handler.ts', from: '../handlers/record-activity.ts', forbidden: true },
  { file: 'lambda/adapters/probe-ok.ts', from: '../application/ports.ts', forbidden: false },
  { file: 'infra/probe-adapter.ts', from: '../lambda/adapters/observability.ts', forbidden: true },
  {
    file: 'infra/constructs/probe-application.ts',
    from: '../../lambda/application/rollout.ts',
    forbidden: true,
  },
  { file: 'infra/constructs/probe-ok.ts', from: '../../lambda/domain/observability.ts', forbidden: false },
  { file: 'infra/local/probe-ok.ts', from: '../../lambda/handlers/record-activity.ts', forbidden: false },
  { file: 'lambda/publisher/probe-adapter.ts', from: '../adapters/clients.ts', forbidden: true },
  { file: 'lambda/publisher/probe-ok.ts', from: '../domain/events.ts', forbidden: false },
  { file: 'lambda/client/probe-application.ts', from: '../application/profile-api.ts', forbidden: true },
  { file: 'lambda/client/probe-adapter.ts', from: '../adapters/profile-reader.ts', forbidden: true },
  { file: 'lambda/client/probe-handler.ts', from: '../handlers/read-profile.ts', forbidden: true },
  { file: 'lambda/client/probe-publisher.ts', from: '../publisher/retry.ts', forbidden: true },
  { file: 'lambda/client/probe-ok.ts', from: '../domain/profile-api.ts', forbidden: false },
  { file: 'bin/cli/probe-test.ts', from: '../../test/support/events.ts', forbidden: true },
  { file: 'scripts/probe-test.ts', from: '../test/support/events.ts', forbidden: true },
  { file: 'bench/lib/probe-test.ts', from: '../../test/support/wait.ts', forbidden: true },
];

interface Diagnostic {
  readonly category: string;
  readonly message: string;
  readonly location: { readonly path: string };
}

describe('the layers, as `npm run lint` enforces them', () => {
  let dir: string;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    // Prepare: the project's Biome configuration and one probe file per case, outside the tree.
    dir = await mkdtemp(join(tmpdir(), 'layers-'));
    await copyFile(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    for (const probe of PROBES) {
      await mkdir(dirname(join(dir, probe.file)), { recursive: true });
      await writeFile(
        join(dir, probe.file),
        `import * as probe from '${probe.from}';\n\nexport { probe };\n`,
      );
    }
    // Act: Biome exits 1 on errors; the report is what counts.
    const biome = join(ROOT, 'node_modules', '.bin', 'biome');
    const out = await run(biome, ['lint', '--vcs-enabled=false', '--reporter=json', '.'], { cwd: dir }).catch(
      (error: { stdout: string }) => error,
    );
    diagnostics = (JSON.parse(out.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(PROBES.map((p) => [p.file, p.from, p] as const))('%s importing %s', (_file, _from, probe) => {
    // Assess
    const found = diagnostics.filter(
      (d) => d.location.path === probe.file && d.category === 'lint/style/noRestrictedImports',
    );
    expect(found.length).toBe(probe.forbidden ? 1 : 0);
  });
});
