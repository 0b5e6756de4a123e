import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, writeConsumerProject } from './consumer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tpi-pack-'));
const project = join(work, 'consumer');
let packed: { filename: string; integrity: string; files: { path: string }[] };

beforeAll(() => {
  // `npm pack` runs `prepack`, which builds dist/ (JavaScript and declarations) first.
  const out = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  packed = (JSON.parse(out.slice(out.indexOf('['))) as (typeof packed)[])[0] as typeof packed;
  writeConsumerProject(project, join(work, packed.filename), packed.integrity, ROOT);
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package installed into a fresh project', () => {
  it('ships built JavaScript and declarations for every import, TypeScript sources only for the tpi command', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/client.js', 'dist/publisher.js']));
    expect(paths).toEqual(expect.arrayContaining(['dist/types/client/index.d.ts', 'docs/openapi.json']));
    // Node refuses to strip types under node_modules: imports resolve to built files only...
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const targets = JSON.stringify([manifest.main, manifest.types, manifest.exports]);
    expect(targets).not.toMatch(/(?<!\.d)\.ts"/);
    // ...while `tpi` runs its sources through tsx (a dependency), so they ship for it alone.
    const sources = paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
    expect(sources.filter((p) => !/^(bin|infra|lambda|local)\//.test(p))).toEqual([]);
  });

  it('imports the publisher and the client from plain Node ESM and reads through the client', () => {
    const result = JSON.parse(run(process.execPath, ['consumer.mjs'], project));
    expect(result).toEqual({
      rootHasBoth: true,
      publisher: 'function',
      planRequests: 'function',
      detailTypes: 8,
      errorClass: true,
      openapi: '3.1.0',
      schemaTitle: 'string',
      etag: '"v7"',
      winRate: 0.5,
      signed: true,
    });
  }, 300_000);

  it('type-checks a TypeScript consumer against the shipped declarations, mistakes included as errors', () => {
    expect(() =>
      run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project),
    ).not.toThrow();
  }, 300_000);
});
