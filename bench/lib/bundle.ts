import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { BUNDLE_OPTIONS, BUNDLE_TARGET } from '../../infra/bundling.ts';

/** Size of one bundle. */
export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** How the stack's `NodejsFunction`s are bundled ({@link BUNDLE_OPTIONS}), as esbuild build options. */
export const LAMBDA_BUILD_OPTIONS = {
  ...BUNDLE_OPTIONS,
  mainFields: [...BUNDLE_OPTIONS.mainFields],
  banner: { js: BUNDLE_OPTIONS.banner },
  target: BUNDLE_TARGET,
  bundle: true,
  platform: 'node',
  logLevel: 'error',
} as const satisfies BuildOptions;

/** Bundles an entry with {@link LAMBDA_BUILD_OPTIONS}. */
export async function bundleLikeLambda(entry: string, outfile: string): Promise<BundleSize> {
  await build({ ...LAMBDA_BUILD_OPTIONS, entryPoints: [entry], outfile });
  const code = readFileSync(outfile);
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}
