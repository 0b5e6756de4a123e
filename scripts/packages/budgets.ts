import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './definitions.ts';

/**
 * Size budgets of the packages, kept in each package.json under `sizeBudget`: the tarball
 * (`packedBytes`), its files unpacked (`unpackedBytes`) and, for the client package, a fresh
 * project's node_modules once it is installed (`installedBytes`, bytes of the files). A change that
 * outgrows one fails CI: raise the budget in the same change, with the reason, or shrink the package.
 */
export interface SizeBudget {
  readonly packedBytes: number;
  readonly unpackedBytes: number;
  readonly installedBytes?: number;
}

/** What `npm pack --json` (or `--dry-run --json`) says of one package. */
export interface PackSummary {
  readonly name: string;
  readonly size: number;
  readonly unpackedSize: number;
}

/** A workspace's budget, from its package.json. */
export function budgetOf(workspace: string): SizeBudget {
  const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8'));
  if (!manifest.sizeBudget) throw new Error(`${workspace}/package.json has no sizeBudget`);
  return manifest.sizeBudget as SizeBudget;
}

/** One line per measure, `over budget` where it is. */
export function budgetReport(summary: PackSummary, budget: SizeBudget): { lines: string[]; over: boolean } {
  const rows: [string, number, number][] = [
    ['packed', summary.size, budget.packedBytes],
    ['unpacked', summary.unpackedSize, budget.unpackedBytes],
  ];
  const lines = rows.map(
    ([what, bytes, limit]) =>
      `${summary.name} ${what}: ${bytes.toLocaleString('en')} bytes of ${limit.toLocaleString('en')}${bytes > limit ? '  OVER BUDGET' : ''}`,
  );
  return { lines, over: rows.some(([, bytes, limit]) => bytes > limit) };
}
