#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `tpi` works right after `npm ci` without a build step.
// tsx is resolved from this file, not from the working directory: the command then runs from any
// folder, through a symlink in node_modules/.bin, and from a project that installed this package.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let loader;
try {
  loader = import.meta.resolve('tsx');
} catch (error) {
  process.stderr.write(`tpi: cannot find tsx next to ${here} (${error.message}): reinstall the package\n`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', loader, join(here, 'tpi.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
  },
);
if (result.error) {
  process.stderr.write(`tpi: cannot run node: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
