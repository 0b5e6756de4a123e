import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { buildPackages } from '../../scripts/build-package.ts';
import {
  blankEnvironment,
  DOCUMENTS,
  pointedAt,
  ROOT,
  runnableSnippets,
  runSnippet,
  typescriptFile,
} from './snippets.ts';

const snippets = DOCUMENTS.flatMap(runnableSnippets);
const typescript = snippets.filter((s) => s.language === 'ts');
// Inside node_modules/.cache: the built client package is the workspace's own dependency, and
// what it imports (the AWS SDK) resolves from the repository's node_modules, as once installed.
mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
const workspace = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'doc-snippets-'));
const lines: string[] = [];
let stack: LocalStack;

beforeAll(async () => {
  const home = join(workspace, 'home');
  mkdirSync(home);
  await buildPackages(['client'], () => join(workspace, 'node_modules', 'tournament-profile-client'));
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `docs${randomUUID().slice(0, 8)}-`,
    api: { port: 0 },
    log: (line) => lines.push(line),
  });
  for (const snippet of typescript)
    writeFileSync(typescriptFile(workspace, snippet), pointedAt(snippet.code, stack));
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

describe('the documentation’s runnable code blocks', () => {
  it('are marked in the guides that show how to talk to the local stack', () => {
    const where = new Set(snippets.map((s) => `${s.document} ${s.language}`));
    for (const expected of [
      'docs/publishing.md ts',
      'docs/publishing.md python',
      'docs/reading.md ts',
      'docs/reading.md sh',
      'clients/python/README.md python',
      'docs/local.md sh',
    ])
      expect(where).toContain(expected);
  });

  it('TypeScript blocks import only the client package and Node’s own modules: nothing a user must guess', () => {
    const imported = typescript.flatMap((s) =>
      [...s.code.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => `${s.document}:${s.line} ${m[1]}`),
    );
    expect(imported.filter((i) => !/ (tournament-profile-client(\/[\w./-]+)?|node:[\w/]+)$/.test(i))).toEqual(
      [],
    );
  });

  it('TypeScript blocks type-check against the client package’s declarations', () => {
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const options = [
      '--ignoreConfig',
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
    ];
    const run = spawnSync(tsc, [...options, ...typescript.map((s) => typescriptFile(workspace, s))], {
      cwd: workspace,
      encoding: 'utf8',
    });
    expect(run.stdout + run.stderr).toBe('');
  });

  it.each(snippets.map((s) => [`${s.document}:${s.line} (${s.language})`, s] as const))(
    '%s runs as written against the local stack',
    async (_name, snippet) => {
      // Prepare: the snippet pointed at the test's stack, in a shell without AWS settings
      const before = lines.length;
      const env = blankEnvironment(join(workspace, 'home'));

      // Act
      const run = await runSnippet({ ...snippet, code: pointedAt(snippet.code, stack) }, workspace, env);
      await stack.settled();

      // Assess: it ended well, and the stack refused or dropped nothing it sent
      expect(run.code, run.output).toBe(0);
      const logged = lines.slice(before);
      expect(
        logged.filter((line) => /^(invalid|dropped|failed|conflict)\b/.test(line)),
        run.output,
      ).toEqual([]);
      // A publishing block must reach the recorder: recorded, or a duplicate of an earlier block's event.
      const received = logged.some((line) => /^(recorded|duplicate)\b/.test(line));
      if (snippet.publishes) expect(received, run.output).toBe(true);
    },
  );
});
