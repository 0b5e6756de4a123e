import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CFN_LINT_REASONS } from '../../infra/constructs/cfn-lint.ts';
import { PROJECT_ROOT } from '../../infra/constructs/integration-function.ts';

const run = promisify(execFile);

/** Synth bundles five functions with esbuild and runs three policy checkers: minutes on a busy machine. */
const SYNTH_TIMEOUT_MS = 1_200_000;

/** The environment of a machine with no AWS account: no credentials, no profile, no region. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_') || key.startsWith('CDK_')) delete env[key];
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
}

describe('npm run synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'integration-synth-'));
  let result: { stdout: string; stderr: string };

  beforeAll(async () => {
    result = await run('npm', ['run', '-s', 'synth', '--', '--output', out, '--no-notices'], {
      cwd: PROJECT_ROOT,
      env: offlineEnv(),
      timeout: SYNTH_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  }, SYNTH_TIMEOUT_MS + 10_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('succeeds offline with cdk-nag, its Serverless pack and the Control Tower Guard rules, none unacknowledged', () => {
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    for (const plugin of report.pluginReports) expect(plugin.violations).toEqual([]);
    expect(report.pluginReports.map((plugin) => plugin.pluginName)).toEqual(
      expect.arrayContaining(['cdk-validator-cfnguard']),
    );
    expect(result.stderr).not.toMatch(/AwsSolutions-/);
    expect(existsSync(join(out, 'TournamentProfileIntegration.template.json'))).toBe(true);
  });

  it('bundles each function as a minified ES module with a source map, loadable by Node', async () => {
    const bundles = readdirSync(out)
      .filter((entry) => entry.startsWith('asset.') && existsSync(join(out, entry, 'index.mjs')))
      .map((entry) => join(out, entry));
    // Recording, statistics, the scheduled audit and the audit of touched users, the profile reads,
    // the rollout's step and rollback functions, and erasure's request and worker functions.
    expect(bundles).toHaveLength(9);
    for (const bundle of bundles) {
      expect(existsSync(join(bundle, 'index.mjs.map'))).toBe(true);
      const loaded = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(bundle, 'index.mjs'))}); console.log(typeof m.handler);`,
        ],
        { env: { ...offlineEnv(), AWS_REGION: 'us-east-1' }, timeout: 120_000 },
      );
      expect(loaded.stdout.trim()).toBe('function');
    }
  });

  it(
    "passes cfn-lint, AWS's CloudFormation linter, with every acknowledged rule explained",
    async () => {
      const template = join(out, 'TournamentProfileIntegration.template.json');
      const lint = await run('cfn-lint', [template], { env: offlineEnv(), timeout: SYNTH_TIMEOUT_MS }).catch(
        (error: { code?: number | string; stdout?: string; stderr?: string }) => {
          if (error.code === 'ENOENT')
            throw new Error('cfn-lint is not installed: pip install cfn-lint (.ci/run does)');
          return { stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`, stderr: '' };
        },
      );
      expect(lint.stdout).toBe('');
      const resources = Object.values(
        (
          JSON.parse(readFileSync(template, 'utf8')) as {
            Resources: Record<string, { Metadata?: Record<string, unknown> }>;
          }
        ).Resources,
      );
      for (const resource of resources) {
        const ignored = (
          resource.Metadata?.['cfn-lint'] as { config?: { ignore_checks?: string[] } } | undefined
        )?.config?.ignore_checks;
        for (const rule of ignored ?? [])
          expect(
            (resource.Metadata?.[CFN_LINT_REASONS] as Record<string, string> | undefined)?.[rule],
          ).toMatch(/.{20}/);
      }
    },
    SYNTH_TIMEOUT_MS,
  );
});
