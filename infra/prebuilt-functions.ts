import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Code } from 'aws-cdk-lib/aws-lambda';

/**
 * The packaged CDK construct (`tournament-profile-cdk`) ships every function already bundled, with
 * this repository's bundling settings (infra/bundling.ts), so that synthesizing needs neither
 * esbuild nor the sources. Its build defines `__PREBUILT_FUNCTIONS__` as the bundles' folder,
 * relative to the built module; in this repository it is not defined and `NodejsFunction` bundles
 * the entry at synth.
 */
declare const __PREBUILT_FUNCTIONS__: string | undefined;

/** The folder of an entry's bundle: `lambda/erasure/worker-handler.ts` → `erasure-worker-handler`. */
export function functionDirectory(entry: string): string {
  return entry
    .replace(/^lambda\//, '')
    .replace(/\.ts$/, '')
    .replaceAll('/', '-');
}

/**
 * `NodejsFunction` properties that deploy the prebuilt bundle of `entry` (its `code` and handler,
 * which make it skip bundling), or none in this repository.
 */
export function prebuiltCode(entry: string): { code: Code; handler: string } | Record<string, never> {
  if (typeof __PREBUILT_FUNCTIONS__ === 'undefined') return {};
  const dir = fileURLToPath(
    new URL(`${__PREBUILT_FUNCTIONS__}/${functionDirectory(entry)}`, import.meta.url),
  );
  if (!existsSync(join(dir, 'index.mjs')))
    throw new Error(`this package has no bundle of ${entry} in ${dir}: reinstall tournament-profile-cdk`);
  return { code: Code.fromAsset(dir), handler: 'index.handler' };
}
