import { beforeAll, describe, expect, it } from 'vitest';
import { importCycles, isEntryPoint, type ModuleInfo, readModule, sourceModules } from './import-graph.ts';

describe('the import graph of the sources', () => {
  let modules: ModuleInfo[];

  beforeAll(() => {
    // Prepare
    modules = sourceModules();
  });

  it('reads every source folder', () => {
    // Assess
    const folders = new Set(modules.map((m) => m.file.split('/')[0]));
    expect([...folders].sort()).toEqual(['bench', 'bin', 'infra', 'lambda', 'local', 'scripts']);
  });

  it('has no import cycles: a module never reaches itself through its imports, types included', () => {
    // Act
    const cycles = importCycles(modules);

    // Assess
    expect(cycles.map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('re-exports only in entry points: the package entries and each feature index.ts', () => {
    // Act
    const shims = modules
      .filter((m) => !isEntryPoint(m.file) && m.reexports.length > 0)
      .map((m) => `${m.file}: ${m.reexports.join(' | ')}`);

    // Assess
    expect(shims).toEqual([]);
  });
});

describe('the import-graph check itself', () => {
  it('finds a cycle and a re-export where they are', () => {
    // Arrange: two modules of the bench tools that the check must read as a cycle.
    const a = { file: 'a.ts', imports: ['b.ts'], reexports: [] };
    const b = { file: 'b.ts', imports: ['c.ts'], reexports: [] };
    const c = { file: 'c.ts', imports: ['a.ts'], reexports: [] };
    const d = { file: 'd.ts', imports: ['a.ts'], reexports: [] };

    // Act and Assess
    expect(importCycles([a, b, c, d])).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(importCycles([a, d])).toEqual([]);
    expect(readModule('lambda/index.ts').reexports.length).toBeGreaterThan(0);
    expect(isEntryPoint('lambda/recording/index.ts')).toBe(true);
    expect(isEntryPoint('lambda/recording/wiring.ts')).toBe(false);
  });
});
