import { beforeAll, describe, expect, it } from 'vitest';
import { type Diagnostic, lintProbes } from './probes.ts';

const FILE_RULE = 'lint/style/noExcessiveLinesPerFile';
const FUNCTION_RULE = 'lint/complexity/noExcessiveLinesPerFunction';

/** A module of `lines` statements. */
const longFile = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `export const value${i} = ${i};`).join('\n');

/** One exported function whose body holds `lines` statements. */
const longFunction = (lines: number) =>
  [
    'export function probe(): number {',
    '  let total = 0;',
    ...Array.from({ length: lines }, (_, i) => `  total += ${i};`),
    '  return total;',
    '}',
  ].join('\n');

/** Probe files and the size findings the lint must report for each. */
const PROBES: readonly { file: string; source: string; findings: readonly string[] }[] = [
  { file: 'lambda/domain/probe-long-file.ts', source: longFile(320), findings: [FILE_RULE] },
  { file: 'lambda/adapters/probe-long-function.ts', source: longFunction(70), findings: [FUNCTION_RULE] },
  { file: 'infra/constructs/probe-long-function.ts', source: longFunction(70), findings: [FUNCTION_RULE] },
  { file: 'bin/cli/probe-long-file.ts', source: longFile(320), findings: [FILE_RULE] },
  { file: 'scripts/probe-long-function.ts', source: longFunction(70), findings: [FUNCTION_RULE] },
  { file: 'bench/probe-long-file.ts', source: longFile(320), findings: [FILE_RULE] },
  { file: 'lambda/domain/probe-short.ts', source: longFunction(40), findings: [] },
  { file: 'test/probe-long-file.test.ts', source: longFile(320), findings: [FILE_RULE] },
  // A describe block holds its tests: functions in test files are not measured.
  { file: 'test/probe-long-function.test.ts', source: longFunction(70), findings: [] },
  // The declaration of the eight event types is a data table.
  { file: 'lambda/shared/contract/event-types.ts', source: longFile(320), findings: [] },
];

describe('file and function sizes, as `npm run lint` enforces them', () => {
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    // Prepare and Act
    diagnostics = await lintProbes(Object.fromEntries(PROBES.map((p) => [p.file, p.source])));
  });

  it.each(PROBES.map((p) => [p.file, p.findings.join(', ') || 'nothing', p] as const))(
    '%s: reports %s',
    (_file, _findings, probe) => {
      // Assess
      const found = diagnostics
        .filter((d) => d.location.path === probe.file && [FILE_RULE, FUNCTION_RULE].includes(d.category))
        .map((d) => `${d.category} (${d.severity})`);
      // Errors, not warnings: `npm run lint` must fail on them.
      expect(found).toEqual(probe.findings.map((rule) => `${rule} (error)`));
    },
  );
});
