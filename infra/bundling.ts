/**
 * How every function of the integration is bundled, as plain esbuild settings: the stack's
 * `NodejsFunction`s use them, and the bench and the tests build with the very same ones, so what
 * they measure and check is what deploys. No CDK import: the bench loads it without the CDK.
 */

/**
 * The SDK is bundled (pinned versions, one tree-shaken file). Some of its dependencies still call
 * `require`, which an ES module does not have: the banner gives the bundle one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __integrationCreateRequire } from 'node:module'; const require = __integrationCreateRequire(import.meta.url);";

/** What `NodejsFunction` derives from `FUNCTION_RUNTIME` (Node.js 24): the bench and tests build for it too. */
export const BUNDLE_TARGET = 'node24';

/**
 * One minified ESM file per function. `keepNames` keeps class and function names through
 * minification, so logs and stack traces name `TransientStoreError`, not `t`.
 */
export const BUNDLE_OPTIONS = {
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  banner: ESM_REQUIRE_BANNER,
} as const;
