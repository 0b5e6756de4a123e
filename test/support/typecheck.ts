import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Type-checks one file of a documented example with the project's compiler settings, writing the
 * tsconfig into `work`. Returns what the compiler printed and its exit status (0 and nothing printed
 * when the example compiles).
 */
export function typecheckExample(file: string, work: string): { output: string; status: number | null } {
  const config = join(work, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { typeRoots: [join(ROOT, 'node_modules', '@types')] },
      include: [],
      files: [file],
    }),
  );
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', config], { encoding: 'utf8' });
  return { output: run.stdout + run.stderr, status: run.status };
}
