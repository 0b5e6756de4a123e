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
  { file: 'lambda/statistics/domain/probe-long-file.ts', source: longFile(420), findings: [FILE_RULE] },
  {
    file: 'lambda/recording/adapters/probe-long-function.ts',
    source: longFunction(70),
    findings: [FUNCTION_RULE],
  },
  { file: 'infra/constructs/probe-long-function.ts', source: longFunction(70), findings: [FUNCTION_RULE] },
  { file: 'bin/cli/probe-long-file.ts', source: longFile(420), findings: [FILE_RULE] },
  { file: 'scripts/probe-long-function.ts', source: longFunction(70), findings: [FUNCTION_RULE] },
  { file: 'bench/probe-long-file.ts', source: longFile(420), findings: [FILE_RULE] },
  { file: 'local/probe-long-function.ts', source: longFunction(70), findings: [FUNCTION_RULE] },
  { file: 'lambda/statistics/domain/probe-short.ts', source: longFunction(40), findings: [] },
  // Files are sized by topic: a file between the old cut (300) and 400 lines is not reported.
  { file: 'lambda/shared/contract/probe-topic.ts', source: longFile(350), findings: [] },
  { file: 'test/probe-long-file.test.ts', source: longFile(420), findings: [FILE_RULE] },
  // A describe block holds its tests: functions in test files are not measured.
  { file: 'test/probe-long-function.test.ts', source: longFunction(70), findings: [] },
];

/** The severity each rule reports with: a long function fails the lint, a long file warns. */
const SEVERITY: Readonly<Record<string, string>> = { [FILE_RULE]: 'warning', [FUNCTION_RULE]: 'error' };

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
      // A long function is an error (`npm run lint` fails on it); a long file a warning at 400 lines.
      expect(found).toEqual(probe.findings.map((rule) => `${rule} (${SEVERITY[rule]})`));
    },
  );
});
