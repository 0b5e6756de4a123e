import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, BUNDLE_TARGET } from '../../infra/bundling.ts';
import { functionDirectory } from '../../infra/prebuilt-functions.ts';
import { ROOT } from './definitions.ts';

/** Every `.ts` file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The handler files the stack deploys: every `entry: 'lambda/….ts'` of infra/. */
export function functionEntries(): string[] {
  const entries = new Set<string>();
  for (const file of sources(join(ROOT, 'infra')))
    for (const match of readFileSync(file, 'utf8').matchAll(/\bentry: '(lambda\/[^']+\.ts)'/g))
      entries.add(match[1] as string);
  if (entries.size === 0)
    throw new Error('found no function entry in infra/: the stack declares them as entry: ...');
  return [...entries].sort();
}

/**
 * Bundles every function as the stack's `NodejsFunction` does (infra/bundling.ts: minified ESM
 * for the Lambda runtime's Node, the SDK included, external source maps without sources) into
 * `functions/<name>/index.mjs` of the package, for `Code.fromAsset`.
 */
export async function bundleFunctions(dir: string): Promise<string[]> {
  const entries = functionEntries();
  for (const entry of entries)
    await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      banner: { js: BUNDLE_OPTIONS.banner },
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile: join(dir, 'functions', functionDirectory(entry), 'index.mjs'),
      bundle: true,
      platform: 'node',
      target: BUNDLE_TARGET,
      sourcemap: 'external',
      sourcesContent: false,
      logLevel: 'warning',
    });
  return entries.map((entry) => relative(dir, join(dir, 'functions', functionDirectory(entry))));
}
