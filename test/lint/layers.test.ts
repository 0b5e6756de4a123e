import { beforeAll, describe, expect, it } from 'vitest';
import { type Diagnostic, lintProbes } from './probes.ts';

/** Probe files: where each stands and what it imports; `forbidden` says whether the layers allow it. */
const PROBES: readonly { file: string; from: string; forbidden: boolean }[] = [
  // A feature's domain: itself, its constants and errors, the pure shared ground.
  { file: 'lambda/recording/domain/probe-up.ts', from: '../application/ports.ts', forbidden: true },
  {
    file: 'lambda/recording/domain/probe-adapter.ts',
    from: '../adapters/activity-store.ts',
    forbidden: true,
  },
  { file: 'lambda/recording/domain/probe-wiring.ts', from: '../wiring.ts', forbidden: true },
  { file: 'lambda/statistics/domain/probe-sdk.ts', from: '@aws-sdk/client-ssm', forbidden: true },
  {
    file: 'lambda/statistics/domain/probe-powertools.ts',
    from: '@aws-lambda-powertools/logger',
    forbidden: true,
  },
  {
    file: 'lambda/statistics/domain/probe-shared-aws.ts',
    from: '../../shared/aws/paging.ts',
    forbidden: true,
  },
  { file: 'lambda/statistics/domain/probe-ok.ts', from: './stats.ts', forbidden: false },
  {
    file: 'lambda/statistics/domain/probe-contract.ts',
    from: '../../shared/contract/limits.ts',
    forbidden: false,
  },
  // Application: its domain, through ports; no adapters, SDK or table names.
  {
    file: 'lambda/statistics/application/probe-adapter.ts',
    from: '../adapters/stats-store.ts',
    forbidden: true,
  },
  { file: 'lambda/statistics/application/probe-sdk.ts', from: '@aws-sdk/lib-dynamodb', forbidden: true },
  { file: 'lambda/statistics/application/probe-tables.ts', from: '../../shared/tables.ts', forbidden: true },
  { file: 'lambda/statistics/application/probe-ok.ts', from: '../domain/stats.ts', forbidden: false },
  // Adapters never reach outward to the handler or the wiring.
  { file: 'lambda/recording/adapters/probe-handler.ts', from: '../handler.ts', forbidden: true },
  { file: 'lambda/recording/adapters/probe-wiring.ts', from: '../wiring.ts', forbidden: true },
  { file: 'lambda/recording/adapters/probe-ok.ts', from: '../application/ports.ts', forbidden: false },
  // A feature's constants are innermost.
  { file: 'lambda/rollout/constants.ts', from: './domain/rollout.ts', forbidden: true },
  // Between features: another feature's entry only.
  {
    file: 'lambda/audit/application/probe-inside.ts',
    from: '../../statistics/domain/stats.ts',
    forbidden: true,
  },
  { file: 'lambda/audit/application/probe-entry.ts', from: '../../statistics/index.ts', forbidden: false },
  { file: 'lambda/erasure/probe-inside.ts', from: '../read-api/handler.ts', forbidden: true },
  { file: 'lambda/erasure/adapters/probe-entry.ts', from: '../../read-api/index.ts', forbidden: false },
  // The shared ground stands on nothing above it.
  { file: 'lambda/shared/probe-feature.ts', from: '../recording/index.ts', forbidden: true },
  { file: 'lambda/shared/contract/probe-aws.ts', from: '../aws/dynamodb.ts', forbidden: true },
  { file: 'lambda/shared/contract/probe-sdk.ts', from: '@aws-sdk/client-dynamodb', forbidden: true },
  { file: 'lambda/shared/aws/probe-ok.ts', from: '@aws-sdk/client-dynamodb', forbidden: false },
  // The stack: declarations and constants only.
  { file: 'infra/probe-adapter.ts', from: '../lambda/shared/aws/logger.ts', forbidden: true },
  {
    file: 'infra/constructs/probe-application.ts',
    from: '../../lambda/rollout/application/rollout.ts',
    forbidden: true,
  },
  {
    file: 'infra/constructs/probe-domain.ts',
    from: '../../lambda/statistics/domain/stats.ts',
    forbidden: true,
  },
  { file: 'infra/constructs/probe-local.ts', from: '../../local/stack.ts', forbidden: true },
  { file: 'infra/constructs/probe-ok.ts', from: '../../lambda/shared/observability.ts', forbidden: false },
  {
    file: 'infra/constructs/probe-constants.ts',
    from: '../../lambda/rollout/constants.ts',
    forbidden: false,
  },
  { file: 'local/probe-ok.ts', from: '../lambda/recording/handler.ts', forbidden: false },
  // The packages ship alone.
  { file: 'lambda/publisher/probe-feature.ts', from: '../recording/index.ts', forbidden: true },
  { file: 'lambda/publisher/probe-ok.ts', from: '../shared/contract/events.ts', forbidden: false },
  { file: 'lambda/client/probe-inside.ts', from: '../read-api/application/read-routes.ts', forbidden: true },
  { file: 'lambda/client/probe-publisher.ts', from: '../publisher/retry.ts', forbidden: true },
  { file: 'lambda/client/probe-ok.ts', from: '../read-api/index.ts', forbidden: false },
  // Nothing that ships or runs imports the tests.
  { file: 'bin/cli/probe-test.ts', from: '../../test/support/events.ts', forbidden: true },
  { file: 'scripts/probe-test.ts', from: '../test/support/events.ts', forbidden: true },
  { file: 'bench/lib/probe-test.ts', from: '../../test/support/wait.ts', forbidden: true },
  { file: 'local/probe-test.ts', from: '../test/support/events.ts', forbidden: true },
];

describe('the layers, as `npm run lint` enforces them', () => {
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    // Prepare: one probe file per case, each importing what its case names.
    const files = Object.fromEntries(
      PROBES.map((p) => [p.file, `import * as probe from '${p.from}';\n\nexport { probe };\n`]),
    );
    // Act
    diagnostics = await lintProbes(files);
  });

  it.each(PROBES.map((p) => [p.file, p.from, p] as const))('%s importing %s', (_file, _from, probe) => {
    // Assess
    const found = diagnostics.filter(
      (d) => d.location.path === probe.file && d.category === 'lint/style/noRestrictedImports',
    );
    expect(found.length).toBe(probe.forbidden ? 1 : 0);
  });
});
