import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';

/** Lets bundled CommonJS dependencies `require` inside an ESM bundle (as the stack's functions do). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

/** Size of one bundle. */
export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * How the stack's `NodejsFunction`s are bundled: one minified ESM file for Node 22 with the AWS SDK
 * inside and a `createRequire` banner.
 */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: 'error',
} as const satisfies BuildOptions;

/** Bundles an entry with {@link LAMBDA_BUILD_OPTIONS}. */
export async function bundleLikeLambda(entry: string, outfile: string): Promise<BundleSize> {
  await build({ ...LAMBDA_BUILD_OPTIONS, entryPoints: [entry], outfile });
  const code = readFileSync(outfile);
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}
