import { beforeAll, describe, expect, it } from 'vitest';
import { type Diagnostic, lintProbes } from './probes.ts';

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
  { file: 'local/probe-ok.ts', from: '../lambda/recording/handler.ts', forbidden: false },
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
