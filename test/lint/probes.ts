import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One finding of `biome lint --reporter=json`. */
export interface Diagnostic {
  readonly severity: string;
  readonly category: string;
  readonly message: string;
  readonly location: { readonly path: string };
}

/**
 * Lints probe files (path → source) with the project's Biome configuration, in a directory outside
 * the tree so that no probe can leak into the project, and returns every finding.
 */
export async function lintProbes(files: Readonly<Record<string, string>>): Promise<Diagnostic[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lint-probes-'));
  try {
    await copyFile(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    for (const [file, source] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), source);
    }
    // Biome exits 1 on errors; the report is what counts.
    const biome = join(ROOT, 'node_modules', '.bin', 'biome');
    const out = await run(biome, ['lint', '--vcs-enabled=false', '--reporter=json', '.'], { cwd: dir }).catch(
      (error: { stdout: string }) => error,
    );
    return (JSON.parse(out.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
