import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { budgetOf, budgetReport } from '../../scripts/packages/budgets.ts';
import { fresh } from '../support/events.ts';
import {
  folderSize,
  installedPackages,
  type Packed,
  run,
  runAsync,
  writeConsumerProject,
} from './consumer.ts';
import { CDK_APP_MJS, CLIENT_MJS, CLIENT_TS } from './consumer-sources.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKSPACES = ['packages/client', 'packages/cli', 'packages/cdk'];
// Outside the repository, so that nothing resolves from its node_modules: a user's fresh folder.
const work = mkdtempSync(join(tmpdir(), 'tpi-pack-'));
const packed = new Map<string, Packed>();
let stack: LocalStack;

/** The environment of a user's shell pointed at the local stack: no AWS files, no instance role. */
const userEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: work,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  npm_config_update_notifier: 'false',
  ...extra,
});

/** The files an `exports` map points at (`./x` without `./`), patterns and package.json aside. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string')
    return exports.includes('*') || exports === './package.json' ? [] : [exports.slice(2)];
  return Object.values(exports as Record<string, unknown>).flatMap(exportTargets);
}

/** A fresh project with the packed package installed from its tarball (`npm ci --offline`). */
function installed(name: string, files: Record<string, string> = {}): string {
  const pkg = packed.get(name) as Packed;
  const dir = join(work, `${name}-consumer`);
  writeConsumerProject(dir, pkg, join(work, pkg.filename), ROOT, files);
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
  return dir;
}

beforeAll(async () => {
  // `npm pack` runs each package's `prepack`, which builds it from the sources.
  const out = run(
    'npm',
    ['pack', '--json', '--pack-destination', work, ...WORKSPACES.flatMap((w) => ['-w', w])],
    ROOT,
  );
  for (const entry of JSON.parse(out.slice(out.indexOf('['))) as Packed[]) packed.set(entry.name, entry);
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `pack${randomUUID().slice(0, 8)}-`,
  });
}, 900_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the packages, packed as npm publishes them', () => {
  it.each(WORKSPACES)('%s stays within its size budget and ships only what its exports name', (workspace) => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8'));
    const pkg = packed.get(manifest.name) as Packed;
    const paths = pkg.files.map((f) => f.path);

    // Assess: the budget, no sources or source maps of the package itself, every export shipped
    const budget = budgetReport(pkg, budgetOf(workspace));
    expect(budget.over, budget.lines.join('\n')).toBe(false);
    expect(paths.filter((p) => /(?<!\.d)\.ts$/.test(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map') && !p.startsWith('functions/'))).toEqual([]);
    for (const target of exportTargets(manifest.exports))
      expect(paths, 'a target of the exports map').toContain(target);
    for (const [entry, conditions] of Object.entries(manifest.exports as Record<string, unknown>))
      if (typeof conditions === 'object') expect(conditions, entry).toHaveProperty('types');
  });
});

describe('tournament-profile-client in a fresh project', () => {
  let project: string;

  beforeAll(() => {
    project = installed('tournament-profile-client', { 'service.mjs': CLIENT_MJS, 'service.ts': CLIENT_TS });
  }, 600_000);

  it('installs in at most 15 MB of node_modules: the EventBridge client and a SigV4 signer, no loader', () => {
    // Act
    const size = folderSize(join(project, 'node_modules'));
    const packages = installedPackages(project);
    console.info(
      `client consumer: ${size.bytes} bytes in ${size.files} files (${size.diskBytes} on disk), ${packages.length} packages`,
    );

    // Assess
    expect(size.bytes).toBeLessThanOrEqual(budgetOf('packages/client').installedBytes as number);
    expect(packages).toEqual(expect.arrayContaining(['@aws-sdk/client-eventbridge', '@smithy/signature-v4']));
    for (const unwanted of [
      'tsx',
      'esbuild',
      'typescript',
      'zod',
      'aws-cdk-lib',
      '@aws-lambda-powertools/logger',
    ])
      expect(packages).not.toContain(unwanted);
    expect(packages.filter((p) => p.startsWith('@aws-sdk/client-'))).toEqual(['@aws-sdk/client-eventbridge']);
  });

  it('publishes an event and reads the statistics it makes from plain Node ESM', async () => {
    // Prepare
    const [winner, loser] = [fresh('win'), fresh('lose')];
    const env = userEnv({ AWS_ENDPOINT_URL_EVENTBRIDGE: stack.endpoint });

    // Act
    const args = ['service.mjs', stack.apiUrl, fresh('m'), winner, loser];
    const { stdout } = await runAsync(process.execPath, args, project, env);

    // Assess
    expect(JSON.parse(stdout)).toEqual({
      published: 1,
      failed: [],
      stats: expect.objectContaining({ userId: winner, matchesWon: 1, matchesPlayed: 1, winRate: 1 }),
      refused: '400 InvalidCursor',
      rootHasBoth: true,
      detailTypes: 8,
      schemaTitle: 'MatchFinalized',
      openapi: '3.1.0',
    });
  });

  it('warns about Node versions the AWS SDK will drop only where they run, and stays quiet when told', () => {
    const publish =
      "import('tournament-profile-client/publisher').then((m) => new m.TournamentEventPublisher({ eventBusName: 'x' }))";
    const script = (env: NodeJS.ProcessEnv) =>
      run('sh', ['-c', `"${process.execPath}" --input-type=module -e "${publish}" 2>&1`], project, env);
    const major = Number(process.versions.node.split('.')[0]);

    const warned = script(userEnv());
    const quiet = script(userEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }));

    if (major < 22) expect(warned).toContain('NodeVersionSupportWarning');
    else expect(warned).toBe('');
    expect(quiet).toBe('');
  });

  it('type-checks a TypeScript service against the shipped declarations, mistakes included as errors', () => {
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const options = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const types = ['--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types')];
    expect(() => run(tsc, [...options, ...types, '--target', 'es2022', 'service.ts'], project)).not.toThrow();
  });
});

describe('tournament-profile-cli in a fresh project', () => {
  it('runs as `npx tpi` without a TypeScript loader, against the local stack', async () => {
    // Prepare
    const project = installed('tournament-profile-cli');
    const packages = installedPackages(project);

    // Act
    const help = run('npx', ['--offline', 'tpi', '--help'], project, userEnv());
    const flag = await runAsync(
      'npx',
      ['--offline', 'tpi', '--endpoint', stack.endpoint, 'flag', 'get', '--json'],
      project,
      userEnv(),
    );

    // Assess
    for (const unwanted of ['tsx', 'esbuild', 'typescript', 'aws-cdk-lib', '@aws-lambda-powertools/logger'])
      expect(packages).not.toContain(unwanted);
    expect(help).toMatch(/^Usage: tpi COMMAND/);
    expect(JSON.parse(flag.stdout)).toMatchObject({ parameterName: stack.flagParameterName, value: 'on' });
  }, 600_000);
});

type CfnResource = { Type: string; Properties: Record<string, unknown> };

/** The `index.mjs` a function's code asset holds in the cloud assembly (empty when it has none). */
function assetFile(app: string, code: unknown): string {
  const key = (code as { S3Key?: unknown }).S3Key;
  if (typeof key !== 'string') return '';
  try {
    return readFileSync(join(app, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
  } catch {
    return '';
  }
}

describe('tournament-profile-cdk in a CDK app', () => {
  it('synthesizes the stack with its functions bundled in advance: no esbuild, no sources', () => {
    // Prepare: an app beside this repository's aws-cdk-lib and constructs (the peer dependencies)
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    const app = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'cdk-consumer-'));
    const unpacked = join(app, 'node_modules', 'tournament-profile-cdk');
    mkdirSync(unpacked, { recursive: true });
    run(
      'tar',
      [
        '-xzf',
        join(work, (packed.get('tournament-profile-cdk') as Packed).filename),
        '-C',
        unpacked,
        '--strip-components=1',
      ],
      app,
    );
    writeFileSync(join(app, 'app.mjs'), CDK_APP_MJS);

    try {
      // Act
      const out = run(process.execPath, ['app.mjs', join(app, 'cdk.out')], app, {
        ...userEnv(),
        PATH: '/usr/bin:/bin',
      });

      // Assess: each of the stack's functions deploys one bundle of the package, as index.handler
      const { stackName } = JSON.parse(out) as { stackName: string };
      const template = JSON.parse(readFileSync(join(app, 'cdk.out', `${stackName}.template.json`), 'utf8'));
      const bundles = readdirSync(join(unpacked, 'functions'));
      const shipped = bundles.map((b) => readFileSync(join(unpacked, 'functions', b, 'index.mjs'), 'utf8'));
      const ours = Object.values(template.Resources as Record<string, CfnResource>)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => ({
          handler: r.Properties.Handler,
          bundle: shipped.indexOf(assetFile(app, r.Properties.Code)),
        }))
        .filter((f) => f.bundle >= 0);
      expect(ours).toHaveLength(bundles.length);
      expect(new Set(ours.map((f) => f.bundle)).size).toBe(bundles.length);
      expect(new Set(ours.map((f) => f.handler))).toEqual(new Set(['index.handler']));
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  }, 600_000);
});
