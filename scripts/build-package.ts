/**
 * `npm run build` (and `npm pack`, through `prepack`): the package's JavaScript and type
 * declarations in dist/. Node refuses to strip types under node_modules, so consumers get plain
 * ES modules: one esbuild bundle per entry point with the dependencies left as imports, and
 * declarations emitted by tsc, their relative `.ts` imports rewritten to the `.js` that exists.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the build goes. */
export const DIST = join(ROOT, 'dist');

/** Entry points: dist/<name>.js from the source file. */
export const ENTRY_POINTS = {
  index: 'lambda/index.ts',
  publisher: 'lambda/publisher/index.ts',
  client: 'lambda/client/index.ts',
} as const;

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarationFiles(path);
    return name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Builds dist/ from scratch. */
export async function buildPackage(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS)),
    outdir: DIST,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  for (const file of declarationFiles(join(DIST, 'types'))) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/(from\s+['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2'));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildPackage();
  console.error(`built ${Object.keys(ENTRY_POINTS).join(', ')} into ${DIST}`);
}
